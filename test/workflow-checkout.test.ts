import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../scripts/lib/repo.js'
import { parseFileCommand } from './harness/index.js'
import { startGerritServer, type GerritTestServer } from './gerrit-server/index.js'

/**
 * The step of devstack-tempest.yml (and tox.yml) that fetches a Gerrit patch set and merges it
 * onto its branch tip, run by bash as the runner runs it, against the Gerrit test server's real
 * git http-backend.
 */
const STEP = 'Check out the Gerrit change onto its branch tip'

function stepScript(file: string): { run: string; env: Record<string, string> } {
  const wf = parse(readFileSync(join(repoRoot, 'workflows', file), 'utf8')) as {
    jobs: Record<string, { steps: { name?: string; run?: string; env?: Record<string, string> }[] }>
  }
  const step = Object.values(wf.jobs)
    .flatMap((j) => j.steps)
    .find((s) => s.name === STEP)
  if (!step?.run) throw new Error(`${file}: no step '${STEP}'`)
  return { run: step.run, env: step.env ?? {} }
}

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

/** Async: the git client talks to the test server, which runs in this process's event loop. */
function bash(script: string, cwd: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('bash', ['-e', '-c', script], { cwd, env })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

async function checkout(inputs: Record<string, string>) {
  const workspace = mkdtempSync(join(tmpdir(), 'stackci-ws-'))
  const temp = mkdtempSync(join(tmpdir(), 'stackci-temp-'))
  const output = join(temp, 'output')
  writeFileSync(output, '')
  const { run } = stepScript('devstack-tempest.yml')
  const r = await bash(run, workspace, {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_OUTPUT: output,
    RUNNER_TEMP: temp,
    GERRIT_URL: gerrit.url,
    GERRIT_PROJECT: 'openstack/ironic',
    GERRIT_BRANCH: 'master',
    CHANGE_PATH: '',
    GERRIT_REVISION: '',
    ...inputs,
  })
  const dir = join(workspace, 'ironic')
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim()
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    outputs: parseFileCommand(readFileSync(output, 'utf8')),
    dir,
    git,
  }
}

describe('the workflows check out a Gerrit patch set as Zuul does', () => {
  it('is the same script in devstack-tempest.yml and tox.yml, with the same inputs', () => {
    expect(stepScript('tox.yml')).toEqual(stepScript('devstack-tempest.yml'))
  })

  it('merges the patch set onto the branch tip, which moved on since the upload', async () => {
    const c = await gerrit.createChange({
      project: 'openstack/ironic',
      files: { 'ironic/conductor.py': 'a = 2\n' },
    })
    const other = await gerrit.createChange({
      project: 'openstack/ironic',
      files: { 'README.rst': 'ironic, moved on\n' },
    })
    await gerrit.merge(other.number)
    const r = await checkout({
      GERRIT_CHANGE: String(c.number),
      GERRIT_REF: c.ref,
      GERRIT_REVISION: c.revision,
    })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.outputs.merged).toBe('true')
    expect(readFileSync(join(r.dir, 'ironic/conductor.py'), 'utf8')).toBe('a = 2\n')
    expect(readFileSync(join(r.dir, 'README.rst'), 'utf8')).toBe('ironic, moved on\n')
    expect(r.git('rev-parse', 'HEAD^2')).toBe(c.revision)
    expect(r.outputs.base).toBe(r.git('rev-parse', 'HEAD^1'))
    expect(r.git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('master')
  })

  it('reports a conflict as a merge failure, not an error', async () => {
    const c = await gerrit.createChange({
      project: 'openstack/ironic',
      files: { 'ironic/conductor.py': 'a = 3\n' },
    })
    const other = await gerrit.createChange({
      project: 'openstack/ironic',
      files: { 'ironic/conductor.py': 'a = 4\n' },
    })
    await gerrit.merge(other.number)
    const r = await checkout({ GERRIT_CHANGE: String(c.number), GERRIT_REF: c.ref })
    expect(r.status).toBe(0)
    expect(r.outputs.merged).toBe('false')
    expect(r.stdout).toMatch(new RegExp(`::error::patch set ${c.ref} does not merge onto master`))
  })

  it('refuses a ref that is not a change ref, and a revision the ref does not hold', async () => {
    const c = await gerrit.createChange({ project: 'openstack/ironic', files: { 'x.py': '1\n' } })
    const bad = await checkout({
      GERRIT_CHANGE: String(c.number),
      GERRIT_REF: '--upload-pack=touch /tmp/pwned',
    })
    expect(bad.status).toBe(1)
    expect(bad.stdout).toContain(
      "::error::gerrit-ref '--upload-pack=touch /tmp/pwned' is not refs/changes/NN/N/P",
    )
    const moved = await checkout({
      GERRIT_CHANGE: String(c.number),
      GERRIT_REF: c.ref,
      GERRIT_REVISION: 'f'.repeat(40),
    })
    expect(moved.status).toBe(1)
    expect(moved.stdout).toContain(`not the revision ${'f'.repeat(40)} that was dispatched`)
  })
})
