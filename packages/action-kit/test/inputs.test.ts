import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  InputError,
  boolInput,
  fileInput,
  listInput,
  numberInput,
  optionalNumberInput,
  parseInput,
  pathInput,
  requiredInput,
} from '../src/index.js'
import { inputEnvName } from '../../../test/harness/index.js'

const set = (name: string, value: string) => (process.env[inputEnvName(name)] = value)
afterEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k]
})

describe('action inputs', () => {
  it('read booleans loosely and name the input when wrong', () => {
    set('dry-run', 'Yes')
    expect(boolInput('dry-run')).toBe(true)
    expect(boolInput('missing')).toBe(false)
    set('dry-run', 'maybe')
    expect(() => boolInput('dry-run')).toThrow("input 'dry-run': expected true or false, got 'maybe'")
  })
  it('read numbers with bounds', () => {
    expect(numberInput('timeout-minutes', 60, { positive: true })).toBe(60)
    set('timeout-minutes', '90')
    expect(numberInput('timeout-minutes', 60, { positive: true, integer: true })).toBe(90)
    set('timeout-minutes', '0')
    expect(() => optionalNumberInput('timeout-minutes', { positive: true })).toThrow(
      "input 'timeout-minutes': expected a number > 0, got '0'",
    )
    set('concurrency', '1.5')
    expect(() => optionalNumberInput('concurrency', { min: 0, integer: true })).toThrow(
      'expected a whole number ≥ 0',
    )
  })
  it('read lists, paths and files', () => {
    set('projects', 'openstack/ironic\n# comment\n, openstack/nova\n')
    expect(listInput('projects')).toEqual(['openstack/ironic', 'openstack/nova'])
    const dir = mkdtempSync(join(tmpdir(), 'kit-'))
    writeFileSync(join(dir, 'r.json'), '{}')
    set('results', 'r.json')
    expect(pathInput('results', dir)).toBe(join(dir, 'r.json'))
    expect(fileInput('results', dir)).toBe(join(dir, 'r.json'))
    set('results', 'nope.json')
    expect(() => fileInput('results', dir)).toThrow(
      `input 'results': no such file: ${join(dir, 'nope.json')}`,
    )
    expect(() => requiredInput('gerrit-url')).toThrow("input 'gerrit-url': is required")
  })
  it('turn a parser error into one naming the input', () => {
    set('mode', 'sideways')
    const e = (() => {
      try {
        return parseInput('mode', (v) => {
          throw new Error(`unknown mode '${v}'`)
        })
      } catch (err) {
        return err
      }
    })()
    expect(e).toBeInstanceOf(InputError)
    expect((e as InputError).message).toBe("input 'mode': unknown mode 'sideways'")
    expect(() =>
      parseInput('mode', () => {
        throw new Error('mode: not one of auto, build')
      }),
    ).toThrow(/^input 'mode': not one of auto, build$/)
  })
})
