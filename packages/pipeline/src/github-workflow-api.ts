import type { WorkflowApi } from './gerrit-watch.js'
import type { WorkflowRunInfo } from './workflow-runs.js'

/** A GitHub REST call that failed; `status` 0 means the request never got an answer. */
export class GitHubApiError extends Error {
  constructor(
    readonly status: number,
    readonly endpoint: string,
    message: string,
  ) {
    super(`GitHub ${endpoint}: ${message}`)
    this.name = 'GitHubApiError'
  }
}

export interface GitHubWorkflowOptions {
  /** https://api.github.com, or GHES's /api/v3, or a test server. */
  apiUrl: string
  token: string
  /** owner/name */
  repository: string
  /** File name (check.yml) or numeric id of the workflow to list and dispatch. */
  workflow: string
  /** Branch or tag the dispatched run uses its workflow file from. */
  ref: string
  fetch?: typeof globalThis.fetch
}

/**
 * The three Actions REST endpoints the watcher needs (docs "REST API endpoints for workflows" and
 * "... for workflow runs"), on plain fetch: the action starts on every poll, so no octokit.
 */
export function gitHubWorkflowApi(o: GitHubWorkflowOptions): WorkflowApi {
  if (!/^[\w.-]+\/[\w.-]+$/.test(o.repository))
    throw new Error(`repository: expected owner/name, got '${o.repository}'`)
  const f = o.fetch ?? globalThis.fetch
  const base = `${o.apiUrl.replace(/\/+$/, '')}/repos/${o.repository}/actions`
  const wf = encodeURIComponent(o.workflow)

  async function call(method: string, path: string, body?: unknown): Promise<Response> {
    const endpoint = `${method} ${path.replace(/\?.*$/, '')}`
    let res: Response
    try {
      res = await f(`${base}${path}`, {
        method,
        headers: {
          Accept: 'application/vnd.github+json',
          Authorization: `Bearer ${o.token}`,
          'X-GitHub-Api-Version': '2022-11-28',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      })
    } catch (e) {
      throw new GitHubApiError(0, endpoint, `no answer from ${o.apiUrl}: ${(e as Error).message}`)
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '')
      let message = text.slice(0, 300)
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message
      } catch {
        // not JSON: keep the text
      }
      throw new GitHubApiError(
        res.status,
        endpoint,
        `${res.status} ${res.statusText}${message ? `: ${message}` : ''}`,
      )
    }
    return res
  }

  return {
    async listRunsPage(page, perPage, createdSince) {
      const created = encodeURIComponent(`>=${createdSince.toISOString().replace(/\.\d{3}Z$/, 'Z')}`)
      const res = await call(
        'GET',
        `/workflows/${wf}/runs?per_page=${perPage}&page=${page}&created=${created}`,
      )
      const body = (await res.json()) as { total_count?: number; workflow_runs?: WorkflowRunInfo[] }
      if (!Array.isArray(body.workflow_runs)) {
        throw new GitHubApiError(
          res.status,
          `GET /workflows/${o.workflow}/runs`,
          'answer has no workflow_runs list',
        )
      }
      return { total_count: body.total_count ?? body.workflow_runs.length, workflow_runs: body.workflow_runs }
    },
    async dispatch(inputs) {
      // return_run_details (GitHub changelog 2026-02-19) answers 200 with the run id instead of 204.
      const res = await call('POST', `/workflows/${wf}/dispatches`, {
        ref: o.ref,
        inputs,
        return_run_details: true,
      })
      if (res.status === 204) return {}
      const body = (await res.json().catch(() => ({}))) as { workflow_run_id?: number; html_url?: string }
      return {
        ...(body.workflow_run_id ? { runId: body.workflow_run_id } : {}),
        ...(body.html_url ? { url: body.html_url } : {}),
      }
    },
    async cancel(runId) {
      try {
        await call('POST', `/runs/${runId}/cancel`)
      } catch (e) {
        // 409: the run finished between listing and cancelling, which is what cancelling wanted.
        if (e instanceof GitHubApiError && e.status === 409) return
        throw e
      }
    },
  }
}
