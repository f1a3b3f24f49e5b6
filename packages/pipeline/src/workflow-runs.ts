import { parseRunName } from '@stackci/model'

/**
 * The fields of GitHub's workflow run object (REST "List workflow runs for a workflow") the watcher
 * uses. `display_title` carries the run-name, which our workflows set to
 * "<pipeline> <project> <change>,<patchset>"; `name` is the workflow's name.
 */
export interface WorkflowRunInfo {
  id: number
  name?: string | null
  display_title?: string
  status: string | null
  conclusion?: string | null
  created_at: string
  html_url?: string
}

/** A run that names a Gerrit change, with what parseRunName read from its title. */
export interface ChangeRun {
  run: WorkflowRunInfo
  pipeline: string
  project: string
  change: number
  patchset: number
  active: boolean
}

// GitHub's run statuses before completion (REST "List workflow runs", `status` parameter).
const ACTIVE = new Set(['queued', 'in_progress', 'waiting', 'pending', 'requested'])

export function isActiveRun(run: WorkflowRunInfo): boolean {
  return run.status !== null && ACTIVE.has(run.status)
}

/** Runs whose title parses as a change run; other runs of the workflow are ignored. */
export function changeRuns(runs: readonly WorkflowRunInfo[]): ChangeRun[] {
  const out: ChangeRun[] = []
  for (const run of runs) {
    const parsed = parseRunName(run.display_title ?? run.name ?? '')
    if (parsed) out.push({ run, ...parsed, active: isActiveRun(run) })
  }
  return out
}

/** Runs of one change in one pipeline, newest first. */
export function runsOf(
  runs: readonly ChangeRun[],
  pipeline: string,
  project: string,
  change: number,
): ChangeRun[] {
  return runs
    .filter((r) => r.pipeline === pipeline && r.project === project && r.change === change)
    .sort((a, b) => Date.parse(b.run.created_at) - Date.parse(a.run.created_at))
}
