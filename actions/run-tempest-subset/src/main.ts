import { copyFileSync, linkSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import * as core from '@actions/core'
import type { JobResultValue } from '@stackci/model'
import { writeReports } from '@stackci/subunit'
import { readInputs, type Settings } from './inputs.js'
import { runTempest, type TempestRun } from './run-tempest.js'
import { uploadResults } from './upload.js'

/**
 * Puts the given stream into output-dir. A hard link costs nothing for a stream of hundreds of MB;
 * a copy is the fallback across filesystems.
 */
function placeStream(from: string, to: string): void {
  rmSync(to, { force: true })
  try {
    linkSync(from, to)
  } catch {
    copyFileSync(from, to)
  }
}

/** The last lines of a process's output, on one line for an error detail. */
function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ')
}

/**
 * Why tempest failed, for an error detail. Tempest prints its own refusals ("No .stestr.conf file
 * was found…", "The specified regex doesn't match with anything") to stdout, which is the stream
 * file: they arrive as non-subunit bytes, and stderr is empty. Called only when a detail is needed:
 * decoding the stream's stdout (up to 256 KiB) is wasted on a run that passed.
 */
function whyTempestFailed(run: TempestRun, streamStdout: { text(): string }): string {
  return lastLines(run.stderrTail) || lastLines(streamStdout.text())
}

/** The runner shows at most 10 error annotations per step. */
const MAX_ANNOTATIONS = 10

function decideResult(run: TempestRun | undefined): { result?: JobResultValue; detail?: string } {
  if (!run) return {}
  if (run.spawnError) return { result: 'ERROR', detail: `tempest could not start: ${run.spawnError}` }
  if (run.timedOut)
    return { result: 'TIMED_OUT', detail: 'tempest run hit timeout-minutes; results are partial' }
  return {}
}

export async function run(): Promise<void> {
  try {
    const settings: Settings = readInputs()
    mkdirSync(settings.outputDir, { recursive: true })
    const files = {
      subunit: join(settings.outputDir, 'testrepository.subunit'),
      junit: join(settings.outputDir, 'junit.xml'),
      html: join(settings.outputDir, 'testr_results.html'),
      json: join(settings.outputDir, 'job-result.json'),
    }
    let tempest: TempestRun | undefined
    if (settings.subunitFile) {
      if (resolve(settings.subunitFile) !== resolve(files.subunit))
        placeStream(settings.subunitFile, files.subunit)
    } else {
      core.info(`tempest run in ${settings.tempest.directory}`)
      tempest = await runTempest(settings.tempest, files.subunit, (line) => core.info(line))
    }
    const decided = decideResult(tempest)
    const reports = await writeReports(
      files.subunit,
      { junit: files.junit, html: files.html },
      {
        name: settings.jobName,
        voting: settings.voting,
        result: decided.result,
        errorDetail: decided.detail,
        start: tempest?.start,
        end: tempest?.end,
      },
      { markdown: { note: decided.detail ? `**${decided.result}**: ${decided.detail}` : undefined } },
    )
    const job = reports.job
    if (tempest) {
      const exit = tempest.exitCode ?? tempest.signal
      const stdout = reports.parsed.results.stdout
      // A tempest that failed without a failing test (bad regex, import errors, a crash before the
      // first test) must not look like a success.
      if (job.result === 'SUCCESS' && tempest.exitCode !== 0) {
        job.result = 'ERROR'
        job.errorDetail = `tempest exited ${exit} although no test failed: ${whyTempestFailed(tempest, stdout)}`
      }
      if (job.result === 'ERROR' && !job.errorDetail)
        job.errorDetail = `no tests ran; tempest exited ${exit}: ${whyTempestFailed(tempest, stdout)}`
    }
    if (job.result === 'ERROR' && !job.errorDetail) job.errorDetail = 'the stream holds no test results'
    // Written here, not by writeReports: the process outcome above can change the verdict.
    writeFileSync(files.json, JSON.stringify(job, null, 2) + '\n')

    const t = job.tests!
    core.setOutput('result', job.result)
    core.setOutput('total', t.total)
    core.setOutput('passed', t.passed)
    core.setOutput('failed', t.failed)
    core.setOutput('skipped', t.skipped)
    core.setOutput('duration-seconds', job.durationSeconds ?? 0)
    core.setOutput('subunit', files.subunit)
    core.setOutput('junit', files.junit)
    core.setOutput('html', files.html)
    core.setOutput('summary-json', files.json)

    // Everything must fit the runner's 10: the step failure itself takes one, a "N more" line
    // another when the failures do not all fit.
    const budget = MAX_ANNOTATIONS - (settings.failOnFailure && job.result !== 'SUCCESS' ? 1 : 0)
    const shown = t.failed <= budget ? t.failed : budget - 1
    for (const f of (job.failures ?? []).slice(0, shown)) core.error(f.message, { title: `FAILED ${f.test}` })
    if (t.failed > shown)
      core.error(`${t.failed - shown} more failed tests: see the job summary and testr_results.html`)
    await core.summary.addRaw(reports.markdown, true).write()

    if (settings.artifactName) {
      const id = await uploadResults(settings.artifactName, settings.outputDir, Object.values(files))
      if (id !== undefined) core.setOutput('artifact-id', id)
    }

    core.info(`${job.result}: ${t.total} tests, ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`)
    if (settings.failOnFailure && job.result !== 'SUCCESS')
      core.setFailed(
        job.result === 'FAILURE'
          ? `${t.failed} of ${t.total} tests failed`
          : `${job.result}: ${job.errorDetail ?? ''}`,
      )
  } catch (e) {
    core.setFailed((e as Error).message)
  }
}
