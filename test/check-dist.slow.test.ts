import { execFileSync, spawnSync } from 'node:child_process'
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { actionNames, repoRoot } from '../scripts/lib/repo.js'

const clone = mkdtempSync(join(tmpdir(), 'check-dist-'))
afterAll(() => rmSync(clone, { recursive: true, force: true }))

it('check-dist fails on a committed bundle that the sources no longer build, naming it', () => {
  execFileSync('git', ['clone', '--quiet', repoRoot, clone])
  // From the store where it can; what the store lacks comes from the registry.
  execFileSync('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], { cwd: clone, stdio: 'pipe' })
  const action = actionNames(clone)[0]!
  const planted = `actions/${action}/dist/index.js`
  appendFileSync(join(clone, planted), '\n// edited by hand\n')
  const r = spawnSync('bash', ['scripts/check-dist.sh'], { cwd: clone, encoding: 'utf8' })
  expect(r.status).toBe(1)
  expect(r.stderr).toContain('check-dist: the build changed these files')
  expect(r.stderr).toContain(planted)
}, 300_000)
