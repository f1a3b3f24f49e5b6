import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { actionDir, findLeaks, makeRunnerDirs, runAction } from '../../../test/harness/index.js'
import { startGerritServer, type GerritTestServer } from '../../../test/gerrit-server/index.js'
import { commitFiles, git, makeRepo } from '../../../packages/devstack/test/git-fixtures.js'

let gerrit: GerritTestServer
beforeAll(async () => {
  gerrit = await startGerritServer()
  await gerrit.createProject({
    name: 'openstack/ironic',
    branches: ['master'],
    files: { 'ironic/conductor.py': 'a = 1\n', 'README.rst': 'ironic\n' },
  })
})
afterAll(() => gerrit.close())

const checkout = (inputs: Record<string, string>) =>
  runAction(actionDir('checkout-change'), {
    inputs: { 'gerrit-url': gerrit.url, project: 'openstack/ironic', branch: 'master', ...inputs },
  })

describe('checkout-change', () => {
  it('merges the patch set onto the branch tip, which moved on since the upload', async () => {
    const c = await gerrit.createChange({
      project: 'openstack/ironic',
      files: { 'ironic/conductor.py': 'a = 2\n' },
    })
    await gerrit.land({ project: 'openstack/ironic', files: { 'README.rst': 'moved on\n' } })
    const r = await checkout({ ref: c.ref, revision: c.revision })
    expect(r.errors).toEqual([])
    expect(r.exitCode).toBe(0)
    const dir = join(r.dirs.workspace, 'ironic')
    expect(r.outputs).toMatchObject({
      result: 'SUCCESS',
      merged: 'true',
      path: dir,
      'changed-files': 'ironic/conductor.py',
    })
    expect(readFileSync(join(dir, 'ironic/conductor.py'), 'utf8')).toBe('a = 2\n')
    expect(readFileSync(join(dir, 'README.rst'), 'utf8')).toBe('moved on\n')
    expect(git(dir, 'rev-parse', 'HEAD^2')).toBe(c.revision)
    expect(r.outputs.base).toBe(git(dir, 'rev-parse', 'HEAD^1'))
    expect(r.outputs.head).toBe(git(dir, 'rev-parse', 'HEAD'))
    expect(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('master')
    expect(r.outputs.started).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
    expect(r.summary).toContain('merged onto master')
  })

  it('reports a conflict as a merge failure, not a failed step', async () => {
    const c = await gerrit.createChange({
      project: 'openstack/ironic',
      files: { 'ironic/conductor.py': 'a = 3\n' },
    })
    await gerrit.land({ project: 'openstack/ironic', files: { 'ironic/conductor.py': 'a = 4\n' } })
    const r = await checkout({ ref: c.ref, path: 'src/ironic' })
    expect(r.exitCode).toBe(0)
    expect(r.outputs).toMatchObject({ result: 'MERGE_FAILURE', merged: 'false' })
    expect(r.errors[0]).toMatch(
      new RegExp(`^${c.ref} does not merge onto the tip of master: conflicts in ironic/conductor.py`),
    )
  })

  it('refuses a ref that is not a change ref, a stale revision and paths outside the workspace', async () => {
    const c = await gerrit.createChange({ project: 'openstack/ironic', files: { 'x.py': '1\n' } })
    const bad = await checkout({ ref: '--upload-pack=touch /tmp/pwned' })
    expect(bad.exitCode).toBe(1)
    expect(bad.errors[0]).toMatch(/^checkout-change: input 'ref': not a Gerrit change ref/)
    const moved = await checkout({ ref: c.ref, revision: 'f'.repeat(40) })
    expect(moved.exitCode).toBe(1)
    expect(moved.errors[0]).toContain(`not the patch set's ${'f'.repeat(40)}`)
    const outside = await checkout({ ref: c.ref, path: '../elsewhere' })
    expect(outside.errors[0]).toMatch(/input 'path'/)
    const proj = await checkout({ ref: c.ref, project: '-oProxyCommand=x' })
    expect(proj.errors[0]).toMatch(/input 'project': '-oProxyCommand=x' is not a valid name/)
  })

  it('fetches with credentials over /a/ without printing them', async () => {
    const ci = gerrit.addAccount({ username: 'vendor-ci', name: 'Vendor CI' })
    const c = await gerrit.createChange({ project: 'openstack/ironic', files: { 'y.py': '1\n' } })
    const url = new URL(gerrit.url)
    url.pathname = `${url.pathname.replace(/\/$/, '')}/a`
    const r = await checkout({
      'gerrit-url': url.toString(),
      ref: c.ref,
      username: ci.username,
      password: ci.httpPassword,
    })
    expect(r.errors).toEqual([])
    expect(r.outputs.result).toBe('SUCCESS')
    expect(r.masks).toContain(ci.httpPassword)
    expect(findLeaks(r, [ci.httpPassword])).toEqual([])
    expect(gerrit.requests.some((q) => q.user === 'vendor-ci')).toBe(true)
  })

  it('without a Gerrit ref, reports the workspace checkout', async () => {
    const r = await runAction(actionDir('checkout-change'), { inputs: {} })
    expect(r.exitCode).toBe(0)
    expect(r.outputs).toMatchObject({
      result: 'SUCCESS',
      merged: 'true',
      path: r.dirs.workspace,
      base: '',
      'changed-files': '',
    })
  })

  it('without a Gerrit ref, the change is the workspace’s last commit', async () => {
    const dirs = makeRunnerDirs()
    const ws = dirs.workspace
    makeRepo(ws, { 'README.rst': 'x\n', 'appliance/a.py': '1\n' }, 'first')
    commitFiles(ws, { 'appliance/a.py': '2\n', 'doc/ä.rst': 'doc\n' }, 'second')
    const r = await runAction(actionDir('checkout-change'), { inputs: {}, dirs })
    expect(r.errors).toEqual([])
    expect(r.outputs).toMatchObject({
      path: ws,
      base: git(ws, 'rev-parse', 'HEAD~1'),
      'changed-files': 'appliance/a.py\ndoc/ä.rst',
    })
  })
})
