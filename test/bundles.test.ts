import { describe, expect, it } from 'vitest'
import { actionNames } from '../scripts/lib/repo.js'
import { actionDir, node24Path, runAction } from './harness/index.js'

/**
 * Every committed bundle loads and runs on the runners' Node 24 and on this machine's Node 20:
 * started with no inputs, run() must answer the same on both (most fail naming the missing input;
 * checkout-change succeeds, reporting the workspace), never with a loader or syntax error.
 */
describe.each(actionNames())('bundle of %s', (name) => {
  it('runs identically on Node 20 and Node 24 when started without inputs', async () => {
    const node24 = node24Path()
    const [on20, on24] = await Promise.all([
      runAction(actionDir(name), { timeoutMs: 60_000 }),
      runAction(actionDir(name), { timeoutMs: 60_000, node: node24 }),
    ])
    for (const run of [on20, on24]) {
      expect(run.timedOut).toBe(false)
      expect(run.stderr).not.toMatch(/SyntaxError|ERR_REQUIRE|ERR_MODULE|ERR_IMPORT|Cannot find module/)
      expect([0, 1]).toContain(run.exitCode)
      // run() ran: it set outputs or reported why it could not.
      expect(run.errors.length + Object.keys(run.outputs).length).toBeGreaterThan(0)
      // A failure is reported as an annotation, as core.setFailed does, not as a crash.
      if (run.exitCode === 1) expect(run.errors.length).toBeGreaterThan(0)
    }
    expect(on24.exitCode).toBe(on20.exitCode)
    expect(on24.errors).toEqual(on20.errors)
    expect(Object.keys(on24.outputs).sort()).toEqual(Object.keys(on20.outputs).sort())
  })
})
