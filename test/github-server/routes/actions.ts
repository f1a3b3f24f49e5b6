import { parse } from 'yaml'
import { paginate, readJson, sendError, sendJson, sendNoContent } from '../http.js'
import type { RequestContext, Router } from '../router.js'
import { newestFirst, type GitHubState, type Repository } from '../state.js'
import { findRepo } from './release-lookup.js'

/**
 * GitHub Actions workflows and runs (docs.github.com/rest/actions/workflows and
 * .../workflow-runs): dispatch a workflow, list runs with filters and paging, get and cancel a
 * run. Workflows are registered from their YAML, so dispatch checks inputs against what the real
 * file declares and a run's display_title is its evaluated run-name. Runs do not execute: a test
 * moves them along with startRun / completeRun, as a runner would.
 */

export interface DispatchInput {
  required: boolean
  default?: string
  type: string
  options?: string[]
}

export interface Workflow {
  id: number
  /** .github/workflows/<file> */
  path: string
  name: string
  state: 'active' | 'disabled_manually'
  /** undefined when the workflow has no workflow_dispatch trigger. */
  dispatchInputs?: Record<string, DispatchInput>
  runName?: string
  createdAt: string
}

export type RunStatus = 'requested' | 'queued' | 'pending' | 'waiting' | 'in_progress' | 'completed'
export type RunConclusion =
  'success' | 'failure' | 'cancelled' | 'skipped' | 'timed_out' | 'neutral' | 'action_required' | 'stale'

export interface WorkflowRun {
  id: number
  workflowId: number
  runNumber: number
  name: string
  displayTitle: string
  event: string
  status: RunStatus
  conclusion: RunConclusion | null
  headBranch: string
  headSha: string
  actor: string
  inputs: Record<string, string>
  createdAt: string
  updatedAt: string
}

export interface ActionsData {
  workflows: Workflow[]
  runs: WorkflowRun[]
}

export function actionsData(state: GitHubState, repo: Repository): ActionsData {
  return state.repoSlot(repo, 'actions', () => ({ workflows: [], runs: [] }))
}

function mustRepo(state: GitHubState, fullName: string): Repository {
  const [owner = '', name = ''] = fullName.split('/')
  const repo = state.repo(owner, name)
  if (!repo) throw new Error(`test server: no repository ${fullName}`)
  return repo
}

/** Registers .github/workflows/<file> of a repository from the workflow's YAML text. */
export function addWorkflow(
  state: GitHubState,
  repository: string,
  file: string,
  yamlText: string,
): Workflow {
  const repo = mustRepo(state, repository)
  const doc = parse(yamlText) as {
    name?: string
    'run-name'?: string
    on?: Record<string, { inputs?: Record<string, Record<string, unknown>> } | null> | string | string[]
  }
  const on = doc.on
  const triggers = typeof on === 'string' ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {})
  let dispatchInputs: Record<string, DispatchInput> | undefined
  if (triggers.includes('workflow_dispatch')) {
    dispatchInputs = {}
    const declared =
      (on && typeof on === 'object' && !Array.isArray(on) && on.workflow_dispatch?.inputs) || {}
    for (const [name, spec] of Object.entries(declared)) {
      dispatchInputs[name] = {
        required: spec.required === true,
        type: typeof spec.type === 'string' ? spec.type : 'string',
        ...(spec.default !== undefined ? { default: String(spec.default) } : {}),
        ...(Array.isArray(spec.options) ? { options: spec.options.map(String) } : {}),
      }
    }
  }
  const path = `.github/workflows/${file}`
  const wf: Workflow = {
    id: state.nextId(),
    path,
    name: doc.name ?? path,
    state: 'active',
    ...(dispatchInputs ? { dispatchInputs } : {}),
    ...(doc['run-name'] ? { runName: doc['run-name'] } : {}),
    createdAt: state.now(),
  }
  actionsData(state, repo).workflows.push(wf)
  return wf
}

/** The run `id` of `repository`; throws naming both when there is none. */
export function findRun(state: GitHubState, repository: string, id: number): WorkflowRun {
  const run = actionsData(state, mustRepo(state, repository)).runs.find((r) => r.id === id)
  if (!run) throw new Error(`test server: no run ${id} in ${repository}`)
  return run
}

/** A runner picked the run up. */
export function startRun(state: GitHubState, repository: string, id: number): WorkflowRun {
  const run = findRun(state, repository, id)
  run.status = 'in_progress'
  run.updatedAt = state.now()
  return run
}

export function completeRun(
  state: GitHubState,
  repository: string,
  id: number,
  conclusion: RunConclusion,
): WorkflowRun {
  const run = findRun(state, repository, id)
  run.status = 'completed'
  run.conclusion = conclusion
  run.updatedAt = state.now()
  return run
}

/**
 * The part of GitHub's expression language run-names use: `${{ inputs.x }}`, `${{ github.x }}`,
 * literals, `&&` and `||` (the `a && b || c` choice) and format('{0} {1}', ...). Enough to show what the runs list shows.
 */
export function evaluateRunName(
  template: string,
  ctx: { inputs: Record<string, string>; github: Record<string, string> },
): string {
  return template.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => evalExpr(expr.trim(), ctx))
}

function evalExpr(
  expr: string,
  ctx: { inputs: Record<string, string>; github: Record<string, string> },
): string {
  const alternatives = splitTop(expr, '||')
  if (alternatives.length > 1) {
    for (const a of alternatives) {
      const v = evalExpr(a.trim(), ctx)
      if (v !== '') return v
    }
    return ''
  }
  const conj = splitTop(expr, '&&')
  if (conj.length > 1) {
    let v = ''
    for (const c of conj) {
      v = evalExpr(c.trim(), ctx)
      if (v === '') return ''
    }
    return v
  }
  const fmt = /^format\((.*)\)$/s.exec(expr)
  if (fmt) {
    const [f = "''", ...args] = splitTop(fmt[1]!, ',').map((s) => s.trim())
    const values = args.map((a) => evalExpr(a, ctx))
    return evalExpr(f, ctx).replace(/\{(\d+)\}/g, (_m, i: string) => values[Number(i)] ?? '')
  }
  const lit = /^'((?:[^']|'')*)'$/.exec(expr)
  if (lit) return lit[1]!.replace(/''/g, "'")
  const ref = /^(inputs|github)\.([\w-]+)$/.exec(expr)
  if (ref) return ctx[ref[1] as 'inputs' | 'github'][ref[2]!] ?? ''
  throw new Error(`test server: run-name expression not supported: ${expr}`)
}

function splitTop(text: string, sep: string): string[] {
  const out: string[] = []
  let depth = 0
  let quoted = false
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === "'") quoted = !quoted
    else if (!quoted && c === '(') depth++
    else if (!quoted && c === ')') depth--
    else if (!quoted && depth === 0 && text.startsWith(sep, i)) {
      out.push(text.slice(start, i))
      start = i + sep.length
      i += sep.length - 1
    }
  }
  out.push(text.slice(start))
  return out
}

export function actionsRoutes(router: Router): void {
  router
    .api('GET', '/repos/:owner/:repo/actions/workflows', listWorkflows, {
      docs: 'actions/workflows#list-repository-workflows',
    })
    .api('POST', '/repos/:owner/:repo/actions/workflows/:workflow_id/dispatches', dispatch, {
      auth: 'required',
      docs: 'actions/workflows#create-a-workflow-dispatch-event',
    })
    .api('GET', '/repos/:owner/:repo/actions/workflows/:workflow_id/runs', listWorkflowRuns, {
      docs: 'actions/workflow-runs#list-workflow-runs-for-a-workflow',
    })
    .api('GET', '/repos/:owner/:repo/actions/runs', listRepoRuns, {
      docs: 'actions/workflow-runs#list-workflow-runs-for-a-repository',
    })
    .api('GET', '/repos/:owner/:repo/actions/runs/:run_id', getRun, {
      docs: 'actions/workflow-runs#get-a-workflow-run',
    })
    .api('POST', '/repos/:owner/:repo/actions/runs/:run_id/cancel', cancel, {
      auth: 'required',
      docs: 'actions/workflow-runs#cancel-a-workflow-run',
    })
}

/** workflow_id is the numeric id or the file name (docs: "You can also pass the workflow file name as a string"). */
function findWorkflow(ctx: RequestContext, data: ActionsData): Workflow | undefined {
  const id = ctx.params.workflow_id ?? ''
  const wf = data.workflows.find((w) => String(w.id) === id || w.path === `.github/workflows/${id}`)
  if (!wf) sendError(ctx, 404, 'Not Found')
  return wf
}

function workflowJson(ctx: RequestContext, repo: Repository, wf: Workflow) {
  return {
    id: wf.id,
    node_id: `W_${wf.id}`,
    name: wf.name,
    path: wf.path,
    state: wf.state,
    created_at: wf.createdAt,
    updated_at: wf.createdAt,
    url: `${ctx.urls.api}/repos/${repo.fullName}/actions/workflows/${wf.id}`,
    html_url: `${ctx.urls.server}/${repo.fullName}/blob/${repo.defaultBranch}/${wf.path}`,
    badge_url: `${ctx.urls.server}/${repo.fullName}/workflows/${encodeURIComponent(wf.name)}/badge.svg`,
  }
}

function runJson(ctx: RequestContext, repo: Repository, run: WorkflowRun, data: ActionsData) {
  const wf = data.workflows.find((w) => w.id === run.workflowId)
  const api = `${ctx.urls.api}/repos/${repo.fullName}/actions/runs/${run.id}`
  return {
    id: run.id,
    name: run.name,
    node_id: `WFR_${run.id}`,
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: wf?.path,
    display_title: run.displayTitle,
    run_number: run.runNumber,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflowId,
    url: api,
    html_url: `${ctx.urls.server}/${repo.fullName}/actions/runs/${run.id}`,
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    run_started_at: run.createdAt,
    run_attempt: 1,
    actor: { login: run.actor },
    triggering_actor: { login: run.actor },
    cancel_url: `${api}/cancel`,
    jobs_url: `${api}/jobs`,
    logs_url: `${api}/logs`,
    workflow_url: `${ctx.urls.api}/repos/${repo.fullName}/actions/workflows/${run.workflowId}`,
    pull_requests: [],
  }
}

function listWorkflows(ctx: RequestContext): void {
  const repo = findRepo(ctx)
  if (!repo) return
  const data = actionsData(ctx.state, repo)
  const { page, headers } = paginate(ctx, data.workflows)
  sendJson(
    ctx,
    200,
    { total_count: data.workflows.length, workflows: page.map((w) => workflowJson(ctx, repo, w)) },
    headers,
  )
}

async function dispatch(ctx: RequestContext): Promise<void> {
  const repo = findRepo(ctx)
  if (!repo) return
  const data = actionsData(ctx.state, repo)
  const wf = findWorkflow(ctx, data)
  if (!wf) return
  const body = await readJson(ctx)
  if (!body) return
  if (typeof body.ref !== 'string' || body.ref === '') {
    return sendError(ctx, 422, 'Invalid request.\n\n"ref" wasn\'t supplied.')
  }
  if (!wf.dispatchInputs) return sendError(ctx, 422, "Workflow does not have 'workflow_dispatch' trigger")
  if (wf.state !== 'active') return sendError(ctx, 422, 'Cannot trigger a disabled workflow')
  const given = (body.inputs ?? {}) as Record<string, unknown>
  if (typeof given !== 'object' || Array.isArray(given))
    return sendError(ctx, 422, 'inputs must be an object')
  const unexpected = Object.keys(given).filter((k) => !(k in wf.dispatchInputs!))
  if (unexpected.length)
    return sendError(ctx, 422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`)
  if (Object.keys(given).length > 25)
    return sendError(ctx, 422, 'you may only define up to 25 `inputs` for a `workflow_dispatch` event')
  const inputs: Record<string, string> = {}
  for (const [name, spec] of Object.entries(wf.dispatchInputs)) {
    const v = given[name]
    if (v === undefined || v === '') {
      if (spec.required && spec.default === undefined) {
        return sendError(ctx, 422, `Required input '${name}' not provided`)
      }
      if (spec.default !== undefined) inputs[name] = spec.default
      continue
    }
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      return sendError(ctx, 422, `Invalid value for input '${name}'`)
    }
    if (spec.options && !spec.options.includes(String(v))) {
      return sendError(
        ctx,
        422,
        `Provided value '${String(v)}' for input '${name}' not in the list of allowed values`,
      )
    }
    inputs[name] = String(v)
  }
  const ref = body.ref.replace(/^refs\/(heads|tags)\//, '')
  const branch = ref === repo.defaultBranch || ref === 'main' || ref === 'master' || repo.tags.has(ref)
  if (!branch && !/^[0-9a-f]{40}$/.test(ref)) return sendError(ctx, 422, `No ref found for: ${body.ref}`)
  const now = ctx.state.now()
  const runNumber = data.runs.filter((r) => r.workflowId === wf.id).length + 1
  const github = {
    repository: repo.fullName,
    ref_name: ref,
    event_name: 'workflow_dispatch',
    actor: ctx.caller.login ?? '',
  }
  const run: WorkflowRun = {
    id: ctx.state.nextId(),
    workflowId: wf.id,
    runNumber,
    name: wf.name,
    displayTitle: wf.runName ? evaluateRunName(wf.runName, { inputs, github }) : wf.name,
    event: 'workflow_dispatch',
    status: 'queued',
    conclusion: null,
    headBranch: ref,
    headSha: repo.tags.get(ref) ?? '0'.repeat(40),
    actor: ctx.caller.login ?? '',
    inputs,
    createdAt: now,
    updatedAt: now,
  }
  data.runs.push(run)
  if (body.return_run_details === true) {
    return sendJson(ctx, 200, {
      workflow_run_id: run.id,
      run_url: `${ctx.urls.api}/repos/${repo.fullName}/actions/runs/${run.id}`,
      html_url: `${ctx.urls.server}/${repo.fullName}/actions/runs/${run.id}`,
    })
  }
  sendNoContent(ctx)
}

const STATUSES = new Set(['requested', 'queued', 'pending', 'waiting', 'in_progress', 'completed'])
const CONCLUSIONS = new Set([
  'success',
  'failure',
  'cancelled',
  'skipped',
  'timed_out',
  'neutral',
  'action_required',
  'stale',
])

/**
 * `created` takes GitHub's search date syntax: >=D, <=D, >D, <D, D..D, or one date (that day, or
 * that instant when a time is given).
 */
export function createdFilter(q: string): (iso: string) => boolean {
  const t = (s: string) => {
    const v = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s)
    if (Number.isNaN(v)) throw new Error(`bad date '${s}'`)
    return v
  }
  const m = /^(>=|<=|>|<)(.+)$/.exec(q)
  if (m) {
    const bound = t(m[2]!)
    const op = m[1]
    return (iso) => {
      const v = Date.parse(iso)
      return op === '>=' ? v >= bound : op === '<=' ? v <= bound : op === '>' ? v > bound : v < bound
    }
  }
  const range = /^(.+)\.\.(.+)$/.exec(q)
  if (range) {
    const lo = range[1] === '*' ? -Infinity : t(range[1]!)
    const hi =
      range[2] === '*' ? Infinity : t(range[2]!) + (/^\d{4}-\d{2}-\d{2}$/.test(range[2]!) ? 86_399_999 : 0)
    return (iso) => Date.parse(iso) >= lo && Date.parse(iso) <= hi
  }
  const day = t(q)
  const end = /^\d{4}-\d{2}-\d{2}$/.test(q) ? day + 86_399_999 : day
  return (iso) => Date.parse(iso) >= day && Date.parse(iso) <= end
}

function listRuns(ctx: RequestContext, repo: Repository, data: ActionsData, workflowId?: number): void {
  const q = ctx.url.searchParams
  let runs = data.runs.filter((r) => workflowId === undefined || r.workflowId === workflowId)
  const status = q.get('status')
  if (status) {
    if (!STATUSES.has(status) && !CONCLUSIONS.has(status)) {
      return sendError(ctx, 422, `Invalid status '${status}'`)
    }
    runs = runs.filter((r) => (STATUSES.has(status) ? r.status === status : r.conclusion === status))
  }
  for (const [param, field] of [
    ['branch', 'headBranch'],
    ['event', 'event'],
    ['actor', 'actor'],
    ['head_sha', 'headSha'],
  ] as const) {
    const v = q.get(param)
    if (v) runs = runs.filter((r) => r[field] === v)
  }
  const created = q.get('created')
  if (created) {
    let match: (iso: string) => boolean
    try {
      match = createdFilter(created)
    } catch (e) {
      return sendError(ctx, 422, `Invalid created filter: ${(e as Error).message}`)
    }
    runs = runs.filter((r) => match(r.createdAt))
  }
  // Newest first, as GitHub lists them.
  runs = [...runs].sort(newestFirst)
  const { page, headers } = paginate(ctx, runs)
  sendJson(
    ctx,
    200,
    { total_count: runs.length, workflow_runs: page.map((r) => runJson(ctx, repo, r, data)) },
    headers,
  )
}

function listWorkflowRuns(ctx: RequestContext): void {
  const repo = findRepo(ctx)
  if (!repo) return
  const data = actionsData(ctx.state, repo)
  const wf = findWorkflow(ctx, data)
  if (wf) listRuns(ctx, repo, data, wf.id)
}

function listRepoRuns(ctx: RequestContext): void {
  const repo = findRepo(ctx)
  if (repo) listRuns(ctx, repo, actionsData(ctx.state, repo))
}

function lookupRun(
  ctx: RequestContext,
): { repo: Repository; run: WorkflowRun; data: ActionsData } | undefined {
  const repo = findRepo(ctx)
  if (!repo) return undefined
  const data = actionsData(ctx.state, repo)
  const run = data.runs.find((r) => String(r.id) === ctx.params.run_id)
  if (!run) {
    sendError(ctx, 404, 'Not Found')
    return undefined
  }
  return { repo, run, data }
}

function getRun(ctx: RequestContext): void {
  const found = lookupRun(ctx)
  if (found) sendJson(ctx, 200, runJson(ctx, found.repo, found.run, found.data))
}

function cancel(ctx: RequestContext): void {
  const found = lookupRun(ctx)
  if (!found) return
  if (found.run.status === 'completed') {
    return sendError(ctx, 409, 'Cannot cancel a workflow run that is completed.')
  }
  // GitHub answers 202 and cancels asynchronously; here the run is cancelled at once.
  found.run.status = 'completed'
  found.run.conclusion = 'cancelled'
  found.run.updatedAt = ctx.state.now()
  sendJson(ctx, 202, {})
}
