import type { WorkflowApi, WorkflowRunInfo } from '@stackci/pipeline'
import { runName } from '@stackci/model'

/**
 * GitHub's side of watch-gerrit, on this machine: dispatching records a queued run named as our
 * workflows name them, so a second poll sees it running and dispatches nothing, as on GitHub.
 */
export class LocalWorkflow implements WorkflowApi {
  readonly runs: (WorkflowRunInfo & { inputs: Record<string, string> })[] = []

  constructor(
    private readonly pipeline: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async listRunsPage(page: number, perPage: number) {
    const slice = this.runs.slice((page - 1) * perPage, page * perPage)
    return { total_count: this.runs.length, workflow_runs: slice }
  }

  async dispatch(inputs: Record<string, string>) {
    const id = this.runs.length + 1
    const title = runName(this.pipeline, {
      kind: 'gerrit',
      gerritUrl: inputs['gerrit-url'] ?? '',
      project: inputs['gerrit-project'] ?? '',
      branch: inputs['gerrit-branch'] ?? '',
      change: Number(inputs['gerrit-change']),
      patchset: Number(inputs['gerrit-patchset']),
      revision: inputs['gerrit-revision'] ?? '',
      ref: inputs['gerrit-ref'] ?? '',
    })
    this.runs.push({
      id,
      display_title: title,
      status: 'queued',
      created_at: this.now().toISOString(),
      inputs,
    })
    return { runId: id }
  }

  async cancel(runId: number) {
    const run = this.runs.find((r) => r.id === runId)
    if (run) run.status = 'completed'
  }

  complete(runId: number, conclusion: string) {
    const run = this.runs.find((r) => r.id === runId)
    if (run) Object.assign(run, { status: 'completed', conclusion })
  }
}
