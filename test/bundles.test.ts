import { describe, expect, it } from 'vitest'
import { actionNames } from '../scripts/lib/repo.js'
import { actionDir, node24Path, runAction } from './harness/index.js'

/**
 * Every committed bundle loads and runs on the runners' Node 24 and on this machine's Node 20:
 * started with no inputs, each must fail the way run() fails (exit 1, an error annotation naming
 * what is missing), identically on both, never with a loader or syntax error.
 */
describe.each(actionNames())('bundle of %s', (name) => {
  it('fails cleanly and identically on Node 20 and Node 24 when started without inputs', async () => {
    const node24 = node24Path()
    const [on20, on24] = await Promise.all([
      runAction(actionDir(name), { timeoutMs: 60_000 }),
      runAction(actionDir(name), { timeoutMs: 60_000, node: node24 }),
    ])
    for (const run of [on20, on24]) {
      expect(run.timedOut).toBe(false)
      expect(run.stderr).not.toMatch(/SyntaxError|ERR_REQUIRE|ERR_MODULE|ERR_IMPORT|Cannot find module/)
      expect(run.exitCode).toBe(1)
      expect(run.errors.length).toBeGreaterThan(0)
    }
    expect(on24.errors).toEqual(on20.errors)
  })
})
