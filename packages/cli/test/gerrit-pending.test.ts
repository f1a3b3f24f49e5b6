import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGerritServer, type GerritTestServer } from '../../../test/gerrit-server/index.js'
import { startGitHubServer } from '../../../test/github-server/index.js'
import { actionsRoutes, addWorkflow } from '../../../test/github-server/routes/actions.js'
import { DEFAULT_WATCH_LIMITS } from '@stackci/pipeline'
import { main } from '../src/main.js'
import { testContext } from './support/context.js'

const context = (env: NodeJS.ProcessEnv = {}) => testContext({ env })

let gerrit: GerritTestServer
beforeAll(async () => {
  gerrit = await startGerritServer({ pathPrefix: '/r' })
  gerrit.addAccount({ username: 'acme-ci' })
  await gerrit.createProject({ name: 'openstack/ironic', branches: ['master', 'stable/2025.1'] })
})
afterAll(() => gerrit.close())

/** `stackci gerrit pending` against a project of the test server (ironic), as the CI account. */
const pendingArgs = (project = 'openstack/ironic') => [
  'gerrit',
  'pending',
  '--gerrit-url',
  gerrit.url,
  '--project',
  project,
  '--ci-account',
  'acme-ci',
]

describe('stackci gerrit pending', () => {
  it('lists what watch-gerrit would dispatch, with reasons, writing nothing', async () => {
    const a = await gerrit.createChange({ project: 'openstack/ironic', files: { 'ironic/a.py': '1\n' } })
    const b = await gerrit.createChange({ project: 'openstack/ironic', files: { 'doc/a.rst': 'd\n' } })
    const c = await gerrit.createChange({
      project: 'openstack/ironic',
      branch: 'stable/2025.1',
      files: { 'ironic/a.py': '1\n' },
    })
    const d = await gerrit.createChange({ project: 'openstack/ironic', files: { 'ironic/b.py': '1\n' } })
    gerrit.addMessage(d.number, { author: 'acme-ci', message: 'Build succeeded (check pipeline).' })
    const t = context()
    const args = pendingArgs()
    expect(await main([...args, '--since', '2025-06-01', '--irrelevant-files', 'doc/**'], t.ctx)).toBe(0)
    const out = t.out()
    expect(out).toMatch(
      new RegExp(`dispatch  ${a.number},1 +openstack/ironic master: new patch set 1, not reported yet`),
    )
    expect(out).toMatch(
      new RegExp(`skip      ${b.number},1 .*every changed file matches irrelevant-files \\(doc/a.rst\\)`),
    )
    expect(out).toMatch(new RegExp(`skip      ${c.number},1 .*created 2025-03-01, before the CI began`))
    expect(out).toMatch(new RegExp(`skip      ${d.number},1 .*already reported on patch set 1`))
    expect(out).toContain('4 change(s), 1 would be dispatched, 0 run(s) cancelled')
    expect(gerrit.requests.every((r) => r.method === 'GET')).toBe(true)

    const j = context()
    expect(await main([...args, '--json'], j.ctx)).toBe(0)
    const decisions = JSON.parse(j.out()) as { change: number; action: string }[]
    expect(decisions.find((x) => x.change === c.number)?.action).toBe('dispatch')
  })

  it('lists changes past the default dispatch limit as deferred, agreeing with the totals', async () => {
    // The CLI has no --max-dispatches: it decides as a poll with the default limits would.
    const limit = DEFAULT_WATCH_LIMITS.maxDispatches
    await gerrit.createProject({ name: 'openstack/nova' })
    for (let i = 0; i < limit + 1; i++) {
      await gerrit.createChange({ project: 'openstack/nova', files: { [`nova/f${i}.py`]: `${i}\n` } })
    }
    const t = context()
    expect(await main(pendingArgs('openstack/nova'), t.ctx)).toBe(0)
    const out = t.out()
    expect(out.match(/^dispatch {2}/gm)).toHaveLength(limit)
    expect(out.match(/^deferred {2}\d+,1 +openstack\/nova master: new patch set 1/gm)).toHaveLength(1)
    expect(out).toContain(`${limit + 1} change(s), ${limit} would be dispatched, 0 run(s) cancelled`)

    const j = context()
    expect(await main([...pendingArgs('openstack/nova'), '--json'], j.ctx)).toBe(0)
    const actions = (JSON.parse(j.out()) as { action: string }[]).map((d) => d.action)
    expect(actions.filter((a) => a === 'dispatch')).toHaveLength(limit)
    expect(actions.filter((a) => a === 'deferred')).toHaveLength(1)
  })

  it('takes the runs of the workflow into account with --github-repo', async () => {
    const gh = await startGitHubServer({ repos: ['acme/ci'], routes: [actionsRoutes] })
    try {
      addWorkflow(
        gh.state,
        'acme/ci',
        'check.yml',
        "name: c\nrun-name: ${{ format('check {0} {1},{2}', inputs.p, inputs.c, inputs.s) }}\non:\n  workflow_dispatch:\n    inputs: {p: {type: string}, c: {type: string}, s: {type: string}}\njobs: {}\n",
      )
      const c = await gerrit.createChange({ project: 'openstack/ironic', files: { 'ironic/c.py': '1\n' } })
      const res = await fetch(`${gh.urls.api}/repos/acme/ci/actions/workflows/check.yml/dispatches`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-token' },
        body: JSON.stringify({ ref: 'main', inputs: { p: 'openstack/ironic', c: String(c.number), s: '1' } }),
      })
      expect(res.status).toBe(204)
      const args = pendingArgs()
      const gh1 = ['--github-repo', 'acme/ci', '--workflow', 'check.yml', '--github-api-url', gh.urls.api]
      const t = context({ GITHUB_TOKEN: 'test-token' })
      expect(await main([...args, ...gh1], t.ctx)).toBe(0)
      expect(t.out()).toMatch(new RegExp(`skip      ${c.number},1 .*already running: run \\d+ \\(queued\\)`))
      const u = context()
      expect(await main([...args, ...gh1], u.ctx)).toBe(2)
      expect(u.err()).toMatch(/--github-repo needs a token in GITHUB_TOKEN/)
    } finally {
      await gh.close()
    }
  })

  it('fails with the reason when Gerrit cannot be read, and names bad options', async () => {
    gerrit.inject({ kind: 'status', status: 400, body: 'bad query' }, { path: '/changes/' })
    const t = context()
    expect(
      await main(
        ['gerrit', 'pending', '--gerrit-url', gerrit.url, '--project', 'x', '--ci-account', 'ci'],
        t.ctx,
      ),
    ).toBe(1)
    expect(t.err()).toMatch(
      /reading Gerrit failed, so nothing was dispatched or cancelled: .*HTTP 400: bad query/,
    )
    const u = context()
    expect(await main(['gerrit', 'pending', '--gerrit-url', gerrit.url, '--project', 'x'], u.ctx)).toBe(2)
    expect(u.err()).toMatch(/--ci-account is required/)
    const v = context()
    expect(
      await main(
        ['gerrit', 'pending', '--gerrit-url', 'ftp://x', '--project', 'x', '--ci-account', 'ci'],
        v.ctx,
      ),
    ).toBe(2)
    expect(v.err()).toMatch(/--gerrit-url: gerrit-url: must be http\(s\)/)
  })
})
