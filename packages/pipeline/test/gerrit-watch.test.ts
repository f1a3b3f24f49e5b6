import { describe, expect, it } from 'vitest'
import {
  WatchReadError,
  branchPolicy,
  fileMatcher,
  watchOnce,
  watchQuery,
  outcomeOf,
  watchSummaryMarkdown,
  type ChangeSource,
  type GerritChangeInfo,
  type WatchPolicy,
  type WorkflowApi,
  type WorkflowRunInfo,
} from '../src/index.js'

const policy: WatchPolicy = {
  pipeline: 'check',
  gerritUrl: 'https://review.example.org',
  ours: { usernames: ['acme-ci'], accountIds: [] },
  irrelevantFiles: fileMatcher([]),
  branches: branchPolicy({}),
  skipWorkInProgress: true,
}

const change = (n: number, ps = 1, more = false): GerritChangeInfo => ({
  _number: n,
  project: 'openstack/ironic',
  branch: 'master',
  status: 'NEW',
  current_revision: `${n}`.padStart(40, 'a'),
  revisions: { [`${n}`.padStart(40, 'a')]: { _number: ps, created: '2026-11-20 10:00:00.000000000' } },
  messages: [],
  ...(more ? { _more_changes: true } : {}),
})

function fakes(changes: GerritChangeInfo[], runs: WorkflowRunInfo[] = []) {
  const calls: string[] = []
  const source: ChangeSource = {
    query: async (q, options, limit) => {
      calls.push(`query ${q} ${options.join(',')} ${limit}`)
      return changes.slice(0, limit)
    },
  }
  const workflow: WorkflowApi = {
    listRunsPage: async (page, perPage) => {
      calls.push(`runs page ${page}`)
      return { total_count: runs.length, workflow_runs: runs.slice((page - 1) * perPage, page * perPage) }
    },
    dispatch: async (inputs) => {
      calls.push(`dispatch ${inputs['gerrit-change']},${inputs['gerrit-patchset']}`)
      return { runId: 1 }
    },
    cancel: async (id) => void calls.push(`cancel ${id}`),
  }
  return { source, workflow, calls }
}

describe('watchOnce', () => {
  it('builds a bounded Gerrit query', () => {
    expect(watchQuery(['openstack/ironic'], 14)).toBe('status:open project:openstack/ironic -age:14d')
    expect(watchQuery(['a', 'b'], 0)).toBe('status:open (project:a OR project:b)')
    expect(() => watchQuery([], 1)).toThrow(/at least one Gerrit project/)
  })

  it('dispatches at most maxDispatches and defers the rest to the next poll', async () => {
    const f = fakes([change(1), change(2), change(3)])
    const r = await watchOnce({ ...f, policy, projects: ['openstack/ironic'], limits: { maxDispatches: 2 } })
    expect(f.calls.filter((c) => c.startsWith('dispatch'))).toEqual(['dispatch 1,1', 'dispatch 2,1'])
    expect(r.deferred.map((d) => d.change)).toEqual([3])
    expect(watchSummaryMarkdown(r)).toContain(
      '| 3,1 | openstack/ironic | master | deferred (max-dispatches) |',
    )
  })

  it('shows a dispatch GitHub refused as failed, not dispatched', async () => {
    const f = fakes([change(1), change(2)])
    f.workflow.dispatch = async (inputs) => {
      if (inputs['gerrit-change'] === '1') throw new Error('GitHub POST /dispatches: 500 Server Error')
      return { runId: 9, url: 'https://github.example/runs/9' }
    }
    const r = await watchOnce({ ...f, policy, projects: ['p'] })
    const outcome = outcomeOf(r)
    expect(r.decisions.map((d) => outcome(d))).toEqual([
      { action: 'failed' },
      { action: 'dispatch', url: 'https://github.example/runs/9' },
    ])
    const md = watchSummaryMarkdown(r)
    expect(md).toContain('| 1,1 | openstack/ironic | master | dispatch failed |')
    expect(md).toContain('| 2,1 | openstack/ironic | master | [dispatched](https://github.example/runs/9) |')
  })

  it('reads every page of runs up to the bound, and says when it stopped', async () => {
    const runs = Array.from({ length: 250 }, (_, i) => ({
      id: i,
      display_title: `check openstack/ironic ${1000 + i},1`,
      status: 'completed',
      created_at: '2026-11-20T00:00:00Z',
    }))
    const all = fakes([], runs)
    expect((await watchOnce({ ...all, policy, projects: ['p'] })).truncated.runs).toBe(false)
    expect(all.calls.filter((c) => c.startsWith('runs'))).toEqual([
      'runs page 1',
      'runs page 2',
      'runs page 3',
    ])
    const bounded = fakes([], runs)
    const r = await watchOnce({ ...bounded, policy, projects: ['p'], limits: { maxRunPages: 2 } })
    expect(r.truncated.runs).toBe(true)
    expect(watchSummaryMarkdown(r)).toContain('Stopped reading workflow runs at the page limit')
  })

  it('reports Gerrit truncation, and writes nothing when the runs cannot be read', async () => {
    const f = fakes([change(1), change(2, 1, true)])
    expect(
      (await watchOnce({ ...f, policy, projects: ['p'], limits: { maxChanges: 2 } })).truncated.changes,
    ).toBe(true)
    const broken = fakes([change(1)])
    broken.workflow.listRunsPage = async () => {
      throw new Error('GitHub GET /workflows/x/runs: 502 Bad Gateway')
    }
    const e = await watchOnce({ ...broken, policy, projects: ['p'] }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(WatchReadError)
    expect((e as WatchReadError).message).toBe(
      'reading the workflow runs from GitHub failed, so nothing was dispatched or cancelled: GitHub GET /workflows/x/runs: 502 Bad Gateway',
    )
    expect(broken.calls.some((c) => c.startsWith('dispatch'))).toBe(false)
  })

  it('dry-run decides and touches nothing', async () => {
    const f = fakes(
      [change(1, 2)],
      [
        {
          id: 7,
          display_title: 'check openstack/ironic 1,1',
          status: 'in_progress',
          created_at: '2026-11-20T09:00:00Z',
        },
      ],
    )
    const r = await watchOnce({ ...f, policy, projects: ['p'], dryRun: true })
    expect(r.dispatched).toHaveLength(1)
    expect(r.cancelled.map((c) => c.run.run.id)).toEqual([7])
    expect(f.calls.filter((c) => c.startsWith('dispatch') || c.startsWith('cancel'))).toEqual([])
  })
})
