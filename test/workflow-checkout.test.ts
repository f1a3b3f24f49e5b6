import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../scripts/lib/repo.js'

/**
 * The workflows check out a Gerrit patch set through actions/checkout-change (prepareChange, Zuul's
 * merge onto the branch tip; its behaviour is tested in actions/checkout-change/test). Here: every
 * workflow that tests a change uses it the same way, so none tests the patch set unmerged.
 */
type Step = { id?: string; uses?: string; run?: string; with?: Record<string, string> }

function changeStep(file: string): Step {
  const wf = parse(readFileSync(join(repoRoot, 'workflows', file), 'utf8')) as {
    jobs: Record<string, { steps?: Step[] }>
  }
  const steps = Object.values(wf.jobs).flatMap((j) => j.steps ?? [])
  const step = steps.find((s) => s.id === 'change')
  if (!step) throw new Error(`${file}: no step with id 'change'`)
  return step
}

describe('the workflows check out a Gerrit patch set as Zuul does', () => {
  it.each(['devstack-tempest.yml', 'tox.yml'])(
    '%s uses checkout-change with the dispatched change',
    (file) => {
      const step = changeStep(file)
      expect(step.uses).toBe('$/actions/checkout-change')
      expect(step.run).toBeUndefined()
      expect(step.with).toMatchObject({
        ref: '${{ inputs.gerrit-ref }}',
        revision: '${{ inputs.gerrit-revision }}',
        branch: '${{ inputs.gerrit-branch }}',
      })
    },
  )
  it('tox.yml passes checkout-change exactly what devstack-tempest.yml passes', () => {
    expect(changeStep('tox.yml').with).toEqual(changeStep('devstack-tempest.yml').with)
  })
  it.each(['devstack-tempest.yml', 'tox.yml'])(
    '%s takes the checkout directory and the changed files from checkout-change',
    (file) => {
      const text = readFileSync(join(repoRoot, 'workflows', file), 'utf8')
      // Where the change is and what it touches are checkout-change's to say (outputs path, changed-files).
      expect(text.match(/inputs\.change-path/g)).toHaveLength(1)
      expect(text).not.toMatch(/git\b.*\bdiff\b/)
      expect(text).toContain('${{ steps.change.outputs.path }}')
    },
  )
})
