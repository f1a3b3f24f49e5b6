/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of the REST API under test */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startGitHubServer, type GitHubServer } from '../index.js'
import {
  actionsRoutes,
  addWorkflow,
  completeRun,
  createdFilter,
  evaluateRunName,
  startRun,
} from './actions.js'

const WORKFLOW = `
name: ironic third-party check
run-name: \${{ format('check {0} {1},{2}', inputs.gerrit-project, inputs.gerrit-change, inputs.gerrit-patchset) }}
on:
  workflow_dispatch:
    inputs:
      gerrit-project: { type: string, required: true }
      gerrit-change: { type: string, required: true }
      gerrit-patchset: { type: string, required: true }
      mode: { type: choice, options: [full, smoke], default: full }
jobs: {}
`

let gh: GitHubServer
beforeEach(async () => {
  gh = await startGitHubServer({ repos: ['acme/ci'], routes: [actionsRoutes] })
  addWorkflow(gh.state, 'acme/ci', 'check.yml', WORKFLOW)
  addWorkflow(
    gh.state,
    'acme/ci',
    'nightly.yml',
    'name: nightly\non:\n  schedule: [{cron: "0 2 * * *"}]\njobs: {}\n',
  )
})
afterEach(() => gh.close())

async function api(method: string, path: string, body?: unknown, token = 'test-token') {
  const res = await fetch(`${gh.urls.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as any) : undefined }
}

const inputs = (change: number, ps = 1) => ({
  'gerrit-project': 'openstack/ironic',
  'gerrit-change': String(change),
  'gerrit-patchset': String(ps),
})

describe('GitHub test server: workflow dispatch and runs', () => {
  it('dispatches with the declared inputs and names the run from run-name', async () => {
    const r = await api('POST', '/repos/acme/ci/actions/workflows/check.yml/dispatches', {
      ref: 'main',
      inputs: inputs(4711, 2),
      return_run_details: true,
    })
    expect(r.status).toBe(200)
    expect(r.json.html_url).toBe(`${gh.urls.server}/acme/ci/actions/runs/${r.json.workflow_run_id}`)
    const plain = await api('POST', '/repos/acme/ci/actions/workflows/check.yml/dispatches', {
      ref: 'main',
      inputs: inputs(4712),
    })
    expect(plain.status).toBe(204)
    const run = await api('GET', `/repos/acme/ci/actions/runs/${r.json.workflow_run_id}`)
    expect(run.json).toMatchObject({
      display_title: 'check openstack/ironic 4711,2',
      name: 'ironic third-party check',
      status: 'queued',
      conclusion: null,
      event: 'workflow_dispatch',
      head_branch: 'main',
      path: '.github/workflows/check.yml',
    })
  })

  it('refuses what GitHub refuses', async () => {
    const path = '/repos/acme/ci/actions/workflows/check.yml/dispatches'
    expect(
      (await api('POST', path, { ref: 'main', inputs: { ...inputs(1), extra: 'x' } })).json.message,
    ).toBe('Unexpected inputs provided: ["extra"]')
    expect((await api('POST', path, { ref: 'main', inputs: { 'gerrit-project': 'p' } })).json.message).toBe(
      "Required input 'gerrit-change' not provided",
    )
    expect((await api('POST', path, { inputs: inputs(1) })).status).toBe(422)
    expect((await api('POST', path, { ref: 'nope', inputs: inputs(1) })).json.message).toBe(
      'No ref found for: nope',
    )
    expect((await api('POST', path, { ref: 'main', inputs: { ...inputs(1), mode: 'huge' } })).status).toBe(
      422,
    )
    expect(
      (await api('POST', '/repos/acme/ci/actions/workflows/nightly.yml/dispatches', { ref: 'main' })).json
        .message,
    ).toBe("Workflow does not have 'workflow_dispatch' trigger")
    expect((await api('POST', path, { ref: 'main', inputs: inputs(1) }, 'wrong')).status).toBe(401)
    expect(
      (await api('POST', '/repos/acme/ci/actions/workflows/missing.yml/dispatches', { ref: 'main' })).status,
    ).toBe(404)
  })

  it('lists runs newest first, filtered by status and created, in pages with Link headers', async () => {
    const ids: number[] = []
    for (let c = 1; c <= 5; c++) {
      const r = await api('POST', '/repos/acme/ci/actions/workflows/check.yml/dispatches', {
        ref: 'main',
        inputs: inputs(c),
        return_run_details: true,
      })
      ids.push(r.json.workflow_run_id)
    }
    startRun(gh.state, 'acme/ci', ids[0]!)
    completeRun(gh.state, 'acme/ci', ids[1]!, 'failure')
    const all = await api('GET', '/repos/acme/ci/actions/workflows/check.yml/runs?per_page=2&page=1')
    expect(all.json.total_count).toBe(5)
    expect(all.json.workflow_runs.map((r: any) => r.id)).toEqual([ids[4], ids[3]])
    expect(all.headers.get('link')).toMatch(/page=2>; rel="next".*page=3>; rel="last"/)
    const last = await api('GET', '/repos/acme/ci/actions/workflows/check.yml/runs?per_page=2&page=3')
    expect(last.json.workflow_runs.map((r: any) => r.id)).toEqual([ids[0]])
    const running = await api('GET', '/repos/acme/ci/actions/workflows/check.yml/runs?status=in_progress')
    expect(running.json.workflow_runs.map((r: any) => r.id)).toEqual([ids[0]])
    const failed = await api('GET', '/repos/acme/ci/actions/runs?status=failure')
    expect(failed.json.workflow_runs.map((r: any) => r.id)).toEqual([ids[1]])
    const future = await api(
      'GET',
      `/repos/acme/ci/actions/workflows/${all.json.workflow_runs[0].workflow_id}/runs?created=${encodeURIComponent('>=2999-01-01')}`,
    )
    expect(future.json.total_count).toBe(0)
    expect((await api('GET', '/repos/acme/ci/actions/runs?status=bogus')).status).toBe(422)
  })

  it('cancels a run once; a finished run is a 409', async () => {
    const r = await api('POST', '/repos/acme/ci/actions/workflows/check.yml/dispatches', {
      ref: 'main',
      inputs: inputs(9),
      return_run_details: true,
    })
    const id = r.json.workflow_run_id
    expect((await api('POST', `/repos/acme/ci/actions/runs/${id}/cancel`)).status).toBe(202)
    expect((await api('GET', `/repos/acme/ci/actions/runs/${id}`)).json).toMatchObject({
      status: 'completed',
      conclusion: 'cancelled',
    })
    expect((await api('POST', `/repos/acme/ci/actions/runs/${id}/cancel`)).status).toBe(409)
    expect((await api('POST', '/repos/acme/ci/actions/runs/1/cancel')).status).toBe(404)
  })

  it('evaluates run-name expressions and created filters as GitHub does', () => {
    const ctx = { inputs: { a: 'x', b: '' }, github: { repository: 'acme/ci' } }
    expect(evaluateRunName("${{ inputs.b || 'none' }} on ${{ github.repository }}", ctx)).toBe(
      'none on acme/ci',
    )
    expect(evaluateRunName("${{ format('{0}-{1}', inputs.a, 'y') }}", ctx)).toBe('x-y')
    // `&&` binds tighter than `||`: check.yml's title picks its Gerrit form this way.
    expect(evaluateRunName("${{ inputs.a && format('g {0}', inputs.a) || 'gh' }}", ctx)).toBe('g x')
    expect(evaluateRunName("${{ inputs.b && format('g {0}', inputs.b) || 'gh' }}", ctx)).toBe('gh')
    expect(createdFilter('2026-01-02')('2026-01-02T23:00:00Z')).toBe(true)
    expect(createdFilter('2026-01-01..2026-01-02')('2026-01-03T00:00:00Z')).toBe(false)
    expect(createdFilter('<2026-01-02')('2026-01-01T10:00:00Z')).toBe(true)
  })
})
