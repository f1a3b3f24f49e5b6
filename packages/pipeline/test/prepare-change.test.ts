import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGerritServer } from '../../../test/gerrit-server/index.js'
import {
  MergeConflictError,
  defaultGit,
  prepareChange,
  redactUrl,
  type PrepareChangeInput,
} from '../src/index.js'

type Server = Awaited<ReturnType<typeof startGerritServer>>

describe('prepareChange against Gerrit over git http-backend', () => {
  let gerrit: Server
  let work: string
  let ci: ReturnType<Server['addAccount']>
  const project = 'demo/router'
  beforeAll(async () => {
    gerrit = await startGerritServer()
    work = mkdtempSync(join(tmpdir(), 'prepare-change-'))
    ci = gerrit.addAccount({ username: 'demo-ci', name: 'Demo CI' })
    await gerrit.createProject({
      name: project,
      files: { 'router.py': 'a = 1\nb = 2\nc = 3\n', README: 'x\n' },
    })
  })
  afterAll(async () => {
    await gerrit.close()
    rmSync(work, { recursive: true, force: true })
  })

  /** Opens a change on `files`, then lands another (on `landed`) under it: the branch moved on. */
  async function afterAnotherLanded(landed: Record<string, string>, files: Record<string, string>) {
    const second = await gerrit.createChange({ project, files })
    await gerrit.land({ project, files: landed })
    return second
  }

  /** prepareChange of `ref` from the demo project's master into `dir` under the work directory. */
  function prepare(ref: string, dir: string, more: Partial<PrepareChangeInput> = {}) {
    return prepareChange({
      gitUrl: gerrit.gitUrl(project, ci),
      branch: 'master',
      ref,
      dir: join(work, dir),
      ...more,
    })
  }

  it('fast-forwards a patch set that sits on the branch tip', async () => {
    const c = await gerrit.createChange({ project, files: { 'router.py': 'a = 10\nb = 2\nc = 3\n' } })
    const p = await prepare(c.ref, 'ff', { revision: c.revision })
    expect(p).toMatchObject({
      head: c.revision,
      revision: c.revision,
      merged: false,
      changedFiles: ['router.py'],
    })
    expect(readFileSync(join(work, 'ff/router.py'), 'utf8')).toContain('a = 10')
  })

  it('merges onto a branch that moved on, and lists only the change’s files', async () => {
    const second = await afterAnotherLanded({ README: 'y\n' }, { 'router.py': 'a = 1\nb = 2\nc = 30\n' })
    const p = await prepare(second.ref, 'merge')
    expect(p.merged).toBe(true)
    expect(p.head).not.toBe(second.revision)
    expect(p.changedFiles).toEqual(['router.py'])
    expect(readFileSync(join(work, 'merge/README'), 'utf8')).toBe('y\n')
    expect(readFileSync(join(work, 'merge/router.py'), 'utf8')).toContain('c = 30')
  })

  it('reports a conflict as a merge failure naming the files', async () => {
    const b = await afterAnotherLanded(
      { 'router.py': 'a = 1\nb = 20\nc = 3\n' },
      { 'router.py': 'a = 1\nb = 21\nc = 3\n' },
    )
    const err = await prepare(b.ref, 'conflict').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MergeConflictError)
    expect((err as MergeConflictError).conflicts).toEqual(['router.py'])
  })

  it('names a conflicting non-ASCII path as it is', async () => {
    const open = await afterAnotherLanded({ 'café.py': 'x = 1\n' }, { 'café.py': 'x = 2\n' })
    const err = await prepare(open.ref, 'conflict-utf8').catch((e: unknown) => e)
    expect((err as MergeConflictError).conflicts).toEqual(['café.py'])
  })

  it('refuses a ref that no longer points at the expected revision, without leaking credentials', async () => {
    const c = await gerrit.createChange({ project, files: { 'x.py': '1\n' } })
    const err = (await prepare(c.ref, 'stale', { revision: 'f'.repeat(40) }).catch(
      (e: unknown) => e,
    )) as Error
    expect(err.message).toMatch(/not the patch set's f{40}/)
    const bad = (await prepare(c.ref, 'nobranch', { branch: 'no-such-branch' }).catch(
      (e: unknown) => e,
    )) as Error
    expect(bad.message).toMatch(/fetching branch no-such-branch/)
    expect(bad.message).not.toContain(ci.httpPassword)
    expect(redactUrl('http://u:p@h/x')).toBe('http://***@h/x')
  })

  it('lists both paths of a rename and non-ASCII paths as they are, so patterns can match them', async () => {
    const moves = 'demo/moves'
    const code = 'def route():\n    return 1\n'.repeat(20)
    await gerrit.createProject({ name: moves, files: { 'old/route.py': code, README: 'x\n' } })
    const c = await gerrit.createChange({
      project: moves,
      files: { 'old/route.py': null, 'new/route.py': code, 'doc/café.rst': 'menu\n' },
    })
    const p = await prepare(c.ref, 'moves', { gitUrl: gerrit.gitUrl(moves, ci) })
    expect(p.changedFiles).toEqual(['doc/café.rst', 'new/route.py', 'old/route.py'])
  })

  it('checks out the patch set as it is with merge: false, though the branch moved on', async () => {
    const second = await afterAnotherLanded({ README: 'z\n' }, { 'x2.py': '2\n' })
    const p = await prepare(second.ref, 'as-is', { merge: false })
    expect(p).toMatchObject({ head: second.revision, merged: false, changedFiles: ['x2.py'] })
    expect(p.branchTip).not.toBe(second.revision)
    expect(readFileSync(join(work, 'as-is/README'), 'utf8')).not.toBe('z\n')
  })

  it('says why git could not even start', async () => {
    const err = (await defaultGit(['status'], join(work, 'no-such-dir')).catch((e: unknown) => e)) as Error
    expect(err).toBeInstanceOf(Error)
    expect(err.message).toMatch(/ENOENT/)
  })
})
