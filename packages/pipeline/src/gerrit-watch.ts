import type { GerritChange } from '@stackci/model'
import type { GerritChangeInfo } from './gerrit-change.js'
import { decideChange, type ChangeDecision, type WatchPolicy } from './watch-decision.js'
import { changeRuns, type ChangeRun, type WorkflowRunInfo } from './workflow-runs.js'

/**
 * Reads changes from Gerrit: Query Changes, paged by the implementation, at most `limit` changes;
 * when the limit cut the list, the last change keeps `_more_changes: true` (as Gerrit sends it).
 */
export interface ChangeSource {
  query(query: string, options: readonly string[], limit: number): Promise<GerritChangeInfo[]>
}

/** The GitHub side: one workflow's runs, dispatching it, cancelling a run. */
export interface WorkflowApi {
  listRunsPage(
    page: number,
    perPage: number,
    createdSince: Date,
  ): Promise<{ total_count: number; workflow_runs: WorkflowRunInfo[] }>
  dispatch(inputs: Record<string, string>): Promise<{ runId?: number; url?: string }>
  cancel(runId: number): Promise<void>
}

export interface WatchLimits {
  /** Stop reading Gerrit after this many changes (default 500). */
  maxChanges: number
  /** Dispatch at most this many runs per poll; the rest wait for the next poll (default 20). */
  maxDispatches: number
  /** Pages of workflow runs to read (100 runs each, default 10). */
  maxRunPages: number
  /** Changes not updated for this many days cannot have a new patch set or recheck (default 14). */
  lookbackDays: number
}

export const DEFAULT_WATCH_LIMITS: WatchLimits = {
  maxChanges: 500,
  maxDispatches: 20,
  maxRunPages: 10,
  lookbackDays: 14,
}

// What decideChange reads (Documentation/rest-api-changes.txt "Query Options").
export const WATCH_QUERY_OPTIONS = [
  'CURRENT_REVISION',
  'CURRENT_FILES',
  'MESSAGES',
  'DETAILED_LABELS',
  'DETAILED_ACCOUNTS',
]

export interface WatchReport {
  query: string
  decisions: ChangeDecision[]
  dispatched: { decision: ChangeDecision; runId?: number; url?: string }[]
  cancelled: { run: ChangeRun; supersededBy: number }[]
  /** Changes that wanted a run but hit maxDispatches. */
  deferred: ChangeDecision[]
  /** Dispatches and cancels GitHub refused; the next poll tries them again. */
  failed: { decision: ChangeDecision; what: 'dispatch' | 'cancel'; error: string }[]
  truncated: { changes: boolean; runs: boolean }
  dryRun: boolean
}

/**
 * What became of one decision in this poll: a wanted run is dispatched, deferred by maxDispatches
 * or failed (GitHub refused it); `dispatch` in a dry run means it would have been dispatched.
 */
export interface DecisionOutcome {
  action: 'dispatch' | 'skip' | 'deferred' | 'failed'
  url?: string
}

/** The outcome of each decision of the report (the job summary and watch-gerrit's output agree). */
export function outcomeOf(report: WatchReport): (d: ChangeDecision) => DecisionOutcome {
  const sent = new Map(report.dispatched.map((x) => [x.decision, x]))
  const deferred = new Set(report.deferred)
  const refused = new Set(report.failed.filter((f) => f.what === 'dispatch').map((f) => f.decision))
  return (d) => {
    if (refused.has(d)) return { action: 'failed' }
    if (deferred.has(d)) return { action: 'deferred' }
    const url = sent.get(d)?.url
    return { action: d.action, ...(url ? { url } : {}) }
  }
}

/** Reading Gerrit or the workflow's runs failed: nothing was dispatched or cancelled. */
export class WatchReadError extends Error {
  constructor(
    readonly source: 'gerrit' | 'github',
    cause: unknown,
  ) {
    super(
      `reading ${source === 'gerrit' ? 'Gerrit' : 'the workflow runs from GitHub'} failed, so nothing was dispatched or cancelled: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    )
    this.name = 'WatchReadError'
  }
}

async function reading<T>(source: 'gerrit' | 'github', f: () => Promise<T>): Promise<T> {
  try {
    return await f()
  } catch (e) {
    throw new WatchReadError(source, e)
  }
}

/** Query Changes for open changes of the projects, updated inside the lookback window. */
export function watchQuery(projects: readonly string[], lookbackDays: number): string {
  if (projects.length === 0) throw new Error('projects: at least one Gerrit project is needed')
  const ps = projects.map((p) => `project:${p}`)
  const scope = ps.length === 1 ? ps[0]! : `(${ps.join(' OR ')})`
  return `status:open ${scope}${lookbackDays > 0 ? ` -age:${lookbackDays}d` : ''}`
}

/** Inputs of the dispatched workflow (see workflows/check.yml `on.workflow_dispatch.inputs`). */
export function dispatchInputs(t: GerritChange): Record<string, string> {
  return {
    'gerrit-url': t.gerritUrl,
    'gerrit-project': t.project,
    'gerrit-branch': t.branch,
    'gerrit-change': String(t.change),
    'gerrit-patchset': String(t.patchset),
    'gerrit-revision': t.revision,
    'gerrit-ref': t.ref,
  }
}

async function readChanges(
  source: ChangeSource,
  query: string,
  limits: WatchLimits,
): Promise<{ changes: GerritChangeInfo[]; truncated: boolean }> {
  const changes = await source.query(query, WATCH_QUERY_OPTIONS, limits.maxChanges)
  return { changes, truncated: changes.at(-1)?._more_changes === true }
}

async function readRuns(
  api: WorkflowApi,
  limits: WatchLimits,
  now: Date,
): Promise<{ runs: WorkflowRunInfo[]; truncated: boolean }> {
  const since = new Date(now.getTime() - limits.lookbackDays * 86_400_000)
  const runs: WorkflowRunInfo[] = []
  for (let page = 1; page <= limits.maxRunPages; page++) {
    const res = await api.listRunsPage(page, 100, since)
    runs.push(...res.workflow_runs)
    if (res.workflow_runs.length < 100 || runs.length >= res.total_count) return { runs, truncated: false }
  }
  return { runs, truncated: true }
}

/**
 * One poll: read open changes and the workflow's runs, decide every change, cancel superseded
 * runs, dispatch what needs a run. Everything is read before anything is written, so a Gerrit or
 * GitHub failure while reading dispatches nothing, and the next poll starts from what GitHub shows.
 */
export async function watchOnce(options: {
  source: ChangeSource
  workflow: WorkflowApi
  policy: WatchPolicy
  projects: readonly string[]
  limits?: Partial<WatchLimits>
  now?: Date
  dryRun?: boolean
  log?: (line: string) => void
}): Promise<WatchReport> {
  const limits = { ...DEFAULT_WATCH_LIMITS, ...options.limits }
  const log = options.log ?? (() => {})
  const query = watchQuery(options.projects, limits.lookbackDays)
  const { changes, truncated: changesTruncated } = await reading('gerrit', () =>
    readChanges(options.source, query, limits),
  )
  log(`Gerrit: ${changes.length} open change(s) for '${query}'`)
  const { runs, truncated: runsTruncated } = await reading('github', () =>
    readRuns(options.workflow, limits, options.now ?? new Date()),
  )
  const parsed = changeRuns(runs)
  log(`GitHub: ${runs.length} run(s) of the workflow, ${parsed.length} named after a change`)

  const decisions = changes.map((c) => decideChange(c, parsed, options.policy))
  const report: WatchReport = {
    query,
    decisions,
    dispatched: [],
    cancelled: [],
    deferred: [],
    failed: [],
    truncated: { changes: changesTruncated, runs: runsTruncated },
    dryRun: options.dryRun ?? false,
  }
  for (const d of decisions) {
    for (const r of d.cancel) {
      try {
        if (!report.dryRun) await options.workflow.cancel(r.run.id)
      } catch (e) {
        report.failed.push({ decision: d, what: 'cancel', error: `run ${r.run.id}: ${(e as Error).message}` })
        continue
      }
      report.cancelled.push({ run: r, supersededBy: d.patchset! })
      log(`cancel run ${r.run.id} (${d.change},${r.patchset}): superseded by patch set ${d.patchset}`)
    }
  }
  for (const d of decisions) {
    if (d.action !== 'dispatch' || !d.target) continue
    if (report.dispatched.length >= limits.maxDispatches) {
      report.deferred.push(d)
      continue
    }
    let res: { runId?: number; url?: string } = {}
    try {
      if (!report.dryRun) res = await options.workflow.dispatch(dispatchInputs(d.target))
    } catch (e) {
      report.failed.push({ decision: d, what: 'dispatch', error: (e as Error).message })
      continue
    }
    report.dispatched.push({ decision: d, ...res })
    log(`dispatch ${d.change},${d.patchset}: ${d.reason}`)
  }
  return report
}
