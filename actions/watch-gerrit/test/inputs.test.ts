import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_WATCH_LIMITS } from '@stackci/pipeline'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { actionDir } from '../../../test/harness/index.js'

describe('watch-gerrit limits', () => {
  // action.yml shows the defaults to users and the runner applies them; readInputs falls back to
  // DEFAULT_WATCH_LIMITS without them. The two must not drift apart.
  it('declares in action.yml the defaults watchOnce uses', () => {
    const inputs = (
      parse(readFileSync(join(actionDir('watch-gerrit'), 'action.yml'), 'utf8')) as {
        inputs: Record<string, { default?: string }>
      }
    ).inputs
    expect({
      maxChanges: Number(inputs['max-changes']?.default),
      maxDispatches: Number(inputs['max-dispatches']?.default),
      lookbackDays: Number(inputs['lookback-days']?.default),
    }).toEqual({
      maxChanges: DEFAULT_WATCH_LIMITS.maxChanges,
      maxDispatches: DEFAULT_WATCH_LIMITS.maxDispatches,
      lookbackDays: DEFAULT_WATCH_LIMITS.lookbackDays,
    })
  })
})
