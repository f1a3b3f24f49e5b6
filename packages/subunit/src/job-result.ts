import type { FailureBrief, JobResult, JobResultValue } from '@stackci/model'
import { failureMessage } from './details.js'
import type { ResultCollector, TestResult } from './results.js'

export interface JobResultOptions {
  name: string
  voting?: boolean
  url?: string
  /** Overrides what the tests say: TIMED_OUT after a timeout, ERROR when tempest could not run. */
  result?: JobResultValue
  /** Wall-clock bounds of the job; default to the stream's first and last timestamps. */
  start?: Date
  end?: Date
  errorDetail?: string
  /** How many failures to list (the Gerrit comment and annotations show only a few). */
  maxFailures?: number
}

/**
 * Zero tests is an ERROR, not a success: a selection that matched nothing, or a runner that died
 * before the first test, must not pass a change.
 */
export function resultOf(results: ResultCollector): JobResultValue {
  const c = results.counts()
  if (c.total === 0) return 'ERROR'
  return c.failed > 0 ? 'FAILURE' : 'SUCCESS'
}

/**
 * The @stackci/model JobResult for a run: what summary-json holds and report-to-gerrit reads.
 * `failures` are the briefs of the first failed tests; by default taken from `results.tests`.
 */
export function toJobResult(
  results: ResultCollector,
  options: JobResultOptions,
  failures: FailureBrief[] = failureBriefs(results.tests, options.maxFailures ?? 10),
): JobResult {
  const c = results.counts()
  const start =
    options.start ??
    (results.firstTimestamp !== undefined ? new Date(results.firstTimestamp / 1000) : undefined)
  const end =
    options.end ?? (results.lastTimestamp !== undefined ? new Date(results.lastTimestamp / 1000) : undefined)
  const job: JobResult = {
    name: options.name,
    result: options.result ?? resultOf(results),
    voting: options.voting ?? true,
    tests: { total: c.total, passed: c.passed, failed: c.failed, skipped: c.skipped },
    failures,
  }
  if (options.url) job.url = options.url
  if (start) job.start = start.toISOString()
  if (end) job.end = end.toISOString()
  if (start && end)
    job.durationSeconds = Math.max(0, Math.round((end.getTime() - start.getTime()) / 10) / 100)
  if (options.errorDetail) job.errorDetail = options.errorDetail
  return job
}

export function failureBriefs(tests: Iterable<TestResult>, max: number): FailureBrief[] {
  const briefs = new FailureBriefs(max)
  for (const t of tests) {
    if (briefs.list.length >= max) break
    briefs.add(t)
  }
  return briefs.list
}

/** The briefs of the first `max` failed tests, gathered as tests finish (an `onTest`). */
export class FailureBriefs {
  readonly list: FailureBrief[] = []

  constructor(private readonly max: number) {}

  readonly add = (t: TestResult): void => {
    if (t.outcome === 'failed' && this.list.length < this.max)
      this.list.push({ test: t.id, message: failureMessage(t.attachments, t.status) })
  }
}
