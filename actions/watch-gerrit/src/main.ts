import * as core from '@actions/core'
import { GerritClient } from '@stackci/gerrit'
import {
  gerritSource,
  gitHubWorkflowApi,
  outcomeOf,
  watchOnce,
  watchSummaryMarkdown,
  type WatchReport,
} from '@stackci/pipeline'
import { readInputs } from './inputs.js'

function decisionsJson(report: WatchReport): string {
  const outcome = outcomeOf(report)
  return JSON.stringify(
    report.decisions.map((d) => {
      const o = outcome(d)
      return {
        change: d.change,
        patchset: d.patchset,
        project: d.project,
        branch: d.branch,
        action: o.action,
        ...(d.trigger ? { trigger: d.trigger } : {}),
        reason: d.reason,
        ...(o.url ? { 'run-url': o.url } : {}),
      }
    }),
  )
}

export async function run(): Promise<void> {
  try {
    const s = readInputs()
    const client = new GerritClient({
      url: s.gerritUrl,
      ...(s.username ? { username: s.username, password: s.password } : {}),
      onRetry: ({ method, path, attempt, delayMs, error }) =>
        core.info(
          `Gerrit ${method} ${path}: attempt ${attempt} failed (${error.message}); retrying in ${delayMs} ms`,
        ),
    })
    const workflow = gitHubWorkflowApi({
      apiUrl: s.apiUrl,
      token: s.token,
      repository: s.repository,
      workflow: s.workflow,
      ref: s.workflowRef,
    })
    const report = await watchOnce({
      source: gerritSource(client),
      workflow,
      policy: s.policy,
      projects: s.projects,
      limits: s.limits,
      dryRun: s.dryRun,
      log: (line) => core.info(line),
    })
    core.setOutput('considered', report.decisions.length)
    core.setOutput('dispatched', report.dispatched.length)
    core.setOutput('cancelled', report.cancelled.length)
    core.setOutput('decisions', decisionsJson(report))
    await core.summary.addRaw(watchSummaryMarkdown(report, `watch-gerrit: ${s.policy.pipeline}`)).write()
    if (report.truncated.changes)
      core.warning(
        `more than max-changes (${s.limits.maxChanges}) changes matched; the rest wait for the next poll`,
      )
    if (report.failed.length) {
      throw new Error(
        `${report.failed.length} GitHub call(s) failed (the next poll retries them): ${report.failed.map((f) => `${f.what} ${f.decision.change},${f.decision.patchset}: ${f.error}`).join('; ')}`,
      )
    }
    if (report.deferred.length)
      core.warning(
        `${report.deferred.length} change(s) deferred by max-dispatches (${s.limits.maxDispatches})`,
      )
  } catch (e) {
    core.setFailed((e as Error).message)
  }
}
