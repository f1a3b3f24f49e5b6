import * as core from '@actions/core'
import { GerritClient, GerritError, postReport } from '@stackci/gerrit'
import { readResults, type JobResult } from '@stackci/model'
import { readInputs, type Settings } from './inputs.js'
import { renderSummary } from './summary.js'

async function loadJobs(path: string): Promise<JobResult[]> {
  try {
    return await readResults(path)
  } catch (e) {
    throw new Error(`input 'results': ${(e as Error).message}`)
  }
}

function client(s: Settings): GerritClient | undefined {
  if (!s.gerritUrl) return undefined
  return new GerritClient({
    url: s.gerritUrl,
    username: s.username,
    password: s.password,
    timeoutMs: s.timeoutMs,
    backoffMs: s.backoffMs,
    onRetry: ({ method, path, attempt, delayMs, error }) =>
      core.info(
        `${method} ${path}: attempt ${attempt} failed (${error.message}); trying again in ${delayMs / 1000} s`,
      ),
  })
}

export async function run(): Promise<void> {
  try {
    const s = readInputs()
    const jobs = await loadJobs(s.results)
    const outcome = await postReport(client(s), {
      project: s.project,
      change: s.change,
      revision: s.revision,
      pipeline: s.pipeline,
      jobs,
      runUrl: s.runUrl,
      voting: s.voting,
      label: s.label,
      submit: s.submit,
      footer: s.footer,
      notify: s.notify,
      dryRun: s.dryRun,
    })
    const vote = Object.values(outcome.decision.labels)[0] ?? 0
    core.setOutput('message', outcome.message)
    core.setOutput('vote', String(outcome.posted || s.dryRun ? vote : 0))
    core.setOutput('posted', String(outcome.posted))
    core.setOutput(
      'time-to-report-seconds',
      outcome.timeToReportSeconds === undefined ? '' : String(outcome.timeToReportSeconds),
    )

    core.info(
      `${s.project} change ${s.change}${outcome.patchset ? ` patch set ${outcome.patchset}` : ''}: ${outcome.decision.reason}`,
    )
    if (outcome.alreadyPosted)
      core.info(`this run's report (${s.runUrl}) is already on the change; not posting it again`)
    else if (outcome.posted)
      core.info(`posted with tag ${outcome.tag}${outcome.recovered ? ' (reply lost; found stored)' : ''}`)
    else if (s.dryRun) core.info('dry run: nothing posted')
    if (!s.footer && !s.dryRun) {
      core.warning(
        "input 'footer' is empty: third-party CI rules ask every comment to link to the CI's contact page",
      )
    }
    const sla = s.slaHours * 3600
    if (outcome.timeToReportSeconds !== undefined && outcome.timeToReportSeconds > sla) {
      const hours = (outcome.timeToReportSeconds / 3600).toFixed(1)
      core.warning(
        `reported ${hours} h after patch set ${outcome.patchset} was uploaded, past the ${s.slaHours} h SLA (sla-hours)`,
      )
    }
    await core.summary
      .addRaw(
        renderSummary(outcome, {
          slaHours: s.slaHours,
          project: s.project,
          change: s.change,
          dryRun: s.dryRun,
          gerritUrl: s.gerritUrl,
        }),
      )
      .write()
    if (outcome.submitError)
      core.setFailed(`the review was posted but submit failed: ${outcome.submitError.message}`)
  } catch (e) {
    const message =
      e instanceof GerritError
        ? `Gerrit: ${e.message}${e.attempts > 1 ? ` (after ${e.attempts} attempts)` : ''}`
        : (e as Error).message
    core.setFailed(message)
  }
}
