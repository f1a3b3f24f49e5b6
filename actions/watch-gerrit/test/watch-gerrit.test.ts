import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { actionDir, findLeaks, runAction } from '../../../test/harness/index.js'
import { startGerritServer, type GerritTestServer } from '../../../test/gerrit-server/index.js'
import { startGitHubServer, type GitHubServer } from '../../../test/github-server/index.js'
import {
  actionsData,
  actionsRoutes,
  addWorkflow,
  completeRun,
  type WorkflowRun,
} from '../../../test/github-server/routes/actions.js'

const REPO = 'acme/ironic-ci'
// The caller a vendor copies: watch-gerrit must dispatch exactly the inputs it declares, and its
// run-name is what the next poll recognises.
const CALLER = readFileSync(join(import.meta.dirname, '../../../workflows/examples/ironic-check.yml'), 'utf8')

let gerrit: GerritTestServer
let gh: GitHubServer
let password: string

beforeEach(async () => {
  gerrit = await startGerritServer()
  password = gerrit.addAccount({ username: 'acme-ci', name: 'Acme Ironic CI' }).httpPassword
  await gerrit.createProject({
    name: 'openstack/ironic',
    branches: ['master', 'stable/2025.1', 'stable/2026.1'],
  })
  gh = await startGitHubServer({ repos: [REPO], routes: [actionsRoutes] })
  addWorkflow(gh.state, REPO, 'ironic-check.yml', CALLER)
})
afterEach(async () => {
  await gerrit.close()
  await gh.close()
})

function poll(extra: Record<string, string> = {}) {
  return runAction(actionDir('watch-gerrit'), {
    inputs: {
      'gerrit-url': gerrit.url,
      username: 'acme-ci',
      password,
      projects: 'openstack/ironic',
      since: '2025-06-01',
      'irrelevant-files': 'doc/**\nreleasenotes/**',
      workflow: 'ironic-check.yml',
      'workflow-ref': 'main',
      repository: REPO,
      'github-token': 'test-token',
      ...extra,
    },
    env: { ...gh.env },
  })
}

const runs = (): WorkflowRun[] => actionsData(gh.state, gh.state.repo('acme', 'ironic-ci')!).runs
const titles = () => runs().map((r) => r.displayTitle)
const later = (seconds: number) => new Date(Date.now() + seconds * 1000)
const report =
  'Build failed (check pipeline).\n\n- acme-ironic-tempest-redfish https://ci.example/1 : FAILURE in 1h 02m 03s'

interface Decision {
  change: number
  patchset: number
  action: string
  reason: string
}
const decisions = (out: Record<string, string>) =>
  Object.fromEntries((JSON.parse(out.decisions!) as Decision[]).map((d) => [d.change, d]))

describe('watch-gerrit against the Gerrit and GitHub test servers', () => {
  it('dispatches what needs a run, says why for the rest, and never dispatches twice', async () => {
    const code = { 'ironic/drivers/modules/redfish/power.py': 'x = 1\n' }
    const fresh = await gerrit.createChange({ project: 'openstack/ironic', files: code })
    const docs = await gerrit.createChange({
      project: 'openstack/ironic',
      files: { 'doc/source/admin/redfish.rst': 'doc\n', 'releasenotes/notes/x.yaml': '---\n' },
    })
    const old = await gerrit.createChange({
      project: 'openstack/ironic',
      branch: 'stable/2025.1',
      files: code,
    })
    const reported = await gerrit.createChange({ project: 'openstack/ironic', files: code })
    gerrit.addMessage(reported.number, { author: 'acme-ci', message: report })
    const rechecked = await gerrit.createChange({ project: 'openstack/ironic', files: code })
    gerrit.addMessage(rechecked.number, { author: 'acme-ci', message: report, date: later(-120) })
    gerrit.addMessage(rechecked.number, { author: 'admin', message: 'recheck bug 123', date: later(-60) })
    const stable = await gerrit.createChange({
      project: 'openstack/ironic',
      branch: 'stable/2026.1',
      files: code,
    })

    const first = await poll()
    expect(first.errors).toEqual([])
    expect(first.exitCode).toBe(0)
    expect(first.outputs).toMatchObject({ considered: '6', dispatched: '3', cancelled: '0' })
    expect(titles().sort()).toEqual(
      [fresh, rechecked, stable].map((c) => `check openstack/ironic ${c.number},1`).sort(),
    )
    const sent = runs().find((r) => r.displayTitle === `check openstack/ironic ${stable.number},1`)!
    expect(sent.inputs).toEqual({
      'gerrit-url': gerrit.url,
      'gerrit-project': 'openstack/ironic',
      'gerrit-branch': 'stable/2026.1',
      'gerrit-change': String(stable.number),
      'gerrit-patchset': '1',
      'gerrit-revision': stable.revision,
      'gerrit-ref': stable.ref,
    })
    const d = decisions(first.outputs)
    expect(d[fresh.number]).toMatchObject({ action: 'dispatch', reason: 'new patch set 1, not reported yet' })
    expect(d[rechecked.number]!.reason).toMatch(/^recheck at .*, after our report at /)
    expect(d[docs.number]).toMatchObject({ action: 'skip' })
    expect(d[docs.number]!.reason).toMatch(
      /every changed file matches irrelevant-files \(doc\/source\/admin\/redfish.rst, releasenotes/,
    )
    expect(d[old.number]!.reason).toBe(
      'branch stable/2025.1 created 2025-03-01, before the CI began (2025-06-01)',
    )
    expect(d[reported.number]!.reason).toMatch(/^already reported on patch set 1 at .*; no recheck since$/)
    // The job summary lists every change with its reason.
    for (const c of [fresh, docs, old, reported, rechecked, stable]) {
      expect(first.summary).toContain(`| ${c.number},1 | openstack/ironic |`)
    }
    expect(first.summary).toContain('before the CI began')
    expect(findLeaks(first, [password, 'test-token'])).toEqual([])

    const second = await poll()
    expect(second.outputs).toMatchObject({ considered: '6', dispatched: '0' })
    expect(runs()).toHaveLength(3)
    expect(decisions(second.outputs)[fresh.number]!.reason).toMatch(/already running: run \d+ \(queued\)$/)

    // A new patch set supersedes the running one: cancel it, test the new one.
    await gerrit.addPatchSet(fresh.number, {
      files: { 'ironic/drivers/modules/redfish/power.py': 'x = 2\n' },
    })
    const third = await poll()
    expect(third.outputs).toMatchObject({ dispatched: '1', cancelled: '1' })
    const ps1 = runs().find((r) => r.displayTitle === `check openstack/ironic ${fresh.number},1`)!
    expect(ps1).toMatchObject({ status: 'completed', conclusion: 'cancelled' })
    expect(titles()).toContain(`check openstack/ironic ${fresh.number},2`)
    expect(third.summary).toContain(`superseded by patch set 2`)

    // A run that ended without a report is not started again on every poll: a recheck decides.
    const recheckRun = runs().find((r) => r.displayTitle === `check openstack/ironic ${rechecked.number},1`)!
    completeRun(gh.state, REPO, recheckRun.id, 'failure')
    const fourth = await poll()
    expect(fourth.outputs.dispatched).toBe('0')
    expect(decisions(fourth.outputs)[rechecked.number]!.reason).toMatch(
      /already ran since \(failure\) without a report/,
    )
    gerrit.addMessage(rechecked.number, { author: 'admin', message: 'recheck', date: later(600) })
    const fifth = await poll()
    expect(fifth.outputs.dispatched).toBe('1')
  })

  it('fails clearly when Gerrit is down, dispatching nothing, and dispatches once when it is back', async () => {
    const c = await gerrit.createChange({ project: 'openstack/ironic', files: { 'ironic/a.py': '1\n' } })
    // Three attempts of the client's retry policy, all refused.
    gerrit.inject({ kind: 'status', status: 503 }, { path: '/changes/', times: 3 })
    const down = await poll()
    expect(down.exitCode).toBe(1)
    expect(down.errors.join('\n')).toMatch(
      /^reading Gerrit failed, so nothing was dispatched or cancelled: GET .*changes\/.*HTTP 503/,
    )
    expect(runs()).toHaveLength(0)
    expect(gh.requests.filter((r) => r.method === 'POST')).toEqual([])

    const up = await poll()
    expect(up.exitCode).toBe(0)
    expect(titles()).toEqual([`check openstack/ironic ${c.number},1`])
    const again = await poll()
    expect(again.outputs.dispatched).toBe('0')
    expect(runs()).toHaveLength(1)
  }, 60_000)

  it('reports a GitHub refusal per change and leaves it for the next poll', async () => {
    await gerrit.createChange({ project: 'openstack/ironic', files: { 'ironic/a.py': '1\n' } })
    gh.faults.failNext({ method: 'POST', path: '/dispatches', status: 500, message: 'Server Error' })
    const refused = await poll()
    expect(refused.exitCode).toBe(1)
    expect(refused.errors.join('\n')).toMatch(
      /1 GitHub call\(s\) failed \(the next poll retries them\): dispatch \d+,1: GitHub POST .*500/,
    )
    expect(refused.summary).toContain('**dispatch failed**')
    expect(Object.values(decisions(refused.outputs)).map((d) => d.action)).toEqual(['failed'])
    expect(runs()).toHaveLength(0)
    expect((await poll()).outputs.dispatched).toBe('1')
  })

  it('gate: dispatches an approved change once per approval', async () => {
    addWorkflow(
      gh.state,
      REPO,
      'ironic-gate.yml',
      CALLER.replace(/format\('check /, "format('gate ").replace('name: ironic-check', 'name: ironic-gate'),
    )
    const c = await gerrit.createChange({ project: 'openstack/ironic', files: { 'ironic/a.py': '1\n' } })
    const gate = { pipeline: 'gate', workflow: 'ironic-gate.yml' }
    expect(decisions((await poll(gate)).outputs)[c.number]!.reason).toBe(
      'not approved for merge (needs Code-Review +2 and Workflow +1)',
    )
    gerrit.approve(c.number)
    const approved = await poll(gate)
    expect(approved.outputs.dispatched).toBe('1')
    expect(titles()).toEqual([`gate openstack/ironic ${c.number},1`])
    // Our gate report after the approval settles it; a check report would not.
    completeRun(gh.state, REPO, runs()[0]!.id, 'success')
    gerrit.addMessage(c.number, {
      author: 'acme-ci',
      message: 'Build succeeded (check pipeline).',
      date: later(30),
    })
    const settled = await poll(gate)
    expect(settled.outputs.dispatched).toBe('0')
    expect(decisions(settled.outputs)[c.number]!.reason).toMatch(/already ran since \(success\)/)
    gerrit.addMessage(c.number, {
      author: 'acme-ci',
      message: 'Build succeeded (gate pipeline).',
      date: later(60),
    })
    expect(decisions((await poll(gate)).outputs)[c.number]!.reason).toMatch(
      /^gate already reported on patch set 1 at .*, after the approval$/,
    )
  })

  it('dry-run decides without dispatching, and names a bad input', async () => {
    await gerrit.createChange({ project: 'openstack/ironic', files: { 'ironic/a.py': '1\n' } })
    const dry = await poll({ 'dry-run': 'true' })
    expect(dry.outputs.dispatched).toBe('1')
    expect(dry.summary).toContain('would dispatch')
    expect(runs()).toHaveLength(0)
    const bad = await poll({ since: 'last week' })
    expect(bad.exitCode).toBe(1)
    expect(bad.errors).toEqual(["input 'since': expected YYYY-MM-DD, got 'last week'"])
  })
})
