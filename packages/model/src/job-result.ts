import { parseChange, type ChangeUnderTest } from './change.js'
import {
  ContractError,
  asArray,
  asBoolean,
  asNumber,
  asObject,
  asOptionalNumber,
  asOptionalString,
  asString,
} from './validate.js'

/** Zuul's build result vocabulary (doc/source/job-content.rst "Build Status") that stackci produces. */
export const JOB_RESULTS = [
  'SUCCESS',
  'FAILURE',
  'TIMED_OUT',
  'POST_FAILURE',
  'NODE_FAILURE',
  'ERROR',
  'SKIPPED',
  'MERGE_FAILURE',
] as const
export type JobResultValue = (typeof JOB_RESULTS)[number]

/**
 * Results that say the CI itself broke, not the change: third-party CI rules forbid voting on them
 * (a -1 would block a good change because a node died).
 */
export const INFRA_RESULTS: readonly JobResultValue[] = ['NODE_FAILURE', 'POST_FAILURE', 'ERROR', 'TIMED_OUT']

export function isInfraResult(r: JobResultValue): boolean {
  return INFRA_RESULTS.includes(r)
}

export interface TestCounts {
  total: number
  passed: number
  failed: number
  skipped: number
}

export interface FailureBrief {
  /** Full test id, e.g. tempest.api.compute.servers.test_x.ServersTest.test_y[id-…,smoke] */
  test: string
  /** One short line: the last line of the traceback, or the failure reason. */
  message: string
}

/** What one job produced: run-tempest-subset's summary-json, a workflow job's output, a line of the report. */
export interface JobResult {
  name: string
  result: JobResultValue
  url?: string
  /** ISO 8601 */
  start?: string
  /** ISO 8601 */
  end?: string
  durationSeconds?: number
  voting: boolean
  tests?: TestCounts
  /** The first failures, at most a handful: enough for a report or an annotation. */
  failures?: FailureBrief[]
  /** Extra detail Zuul prints after the result (its error_detail). */
  errorDetail?: string
}

/** A pipeline run over one change: what report-to-gerrit reports as one comment. */
export interface BuildSet {
  pipeline: string
  change?: ChangeUnderTest
  /** Link to the whole run (Zuul's buildset URL). */
  url?: string
  jobs: JobResult[]
}

export function isJobResultValue(v: string): v is JobResultValue {
  return (JOB_RESULTS as readonly string[]).includes(v)
}

export function parseJobResultValue(value: unknown, path: string): JobResultValue {
  const s = asString(value, path)
  if (!isJobResultValue(s))
    throw new ContractError(path, `unknown result '${s}' (one of ${JOB_RESULTS.join(', ')})`)
  return s
}

function parseCounts(value: unknown, path: string): TestCounts {
  const o = asObject(value, path)
  return {
    total: asNumber(o.total, `${path}.total`),
    passed: asNumber(o.passed, `${path}.passed`),
    failed: asNumber(o.failed, `${path}.failed`),
    skipped: asNumber(o.skipped, `${path}.skipped`),
  }
}

export function parseJobResult(value: unknown, path = 'job'): JobResult {
  const o = asObject(value, path)
  const job: JobResult = {
    name: asString(o.name, `${path}.name`),
    result: parseJobResultValue(o.result, `${path}.result`),
    voting: asBoolean(o.voting, `${path}.voting`, true),
  }
  const url = asOptionalString(o.url, `${path}.url`)
  const start = asOptionalString(o.start, `${path}.start`)
  const end = asOptionalString(o.end, `${path}.end`)
  const duration = asOptionalNumber(o.durationSeconds ?? o.duration, `${path}.durationSeconds`)
  const detail = asOptionalString(o.errorDetail, `${path}.errorDetail`)
  if (url) job.url = url
  if (start) job.start = start
  if (end) job.end = end
  if (duration !== undefined) job.durationSeconds = duration
  else if (start && end) job.durationSeconds = (Date.parse(end) - Date.parse(start)) / 1000
  if (detail) job.errorDetail = detail
  if (o.tests !== undefined) job.tests = parseCounts(o.tests, `${path}.tests`)
  if (o.failures !== undefined) {
    job.failures = asArray(o.failures, `${path}.failures`).map((f, i) => {
      const fo = asObject(f, `${path}.failures[${i}]`)
      return {
        test: asString(fo.test, `${path}.failures[${i}].test`),
        message: asString(fo.message ?? '', `${path}.failures[${i}].message`),
      }
    })
  }
  return job
}

/**
 * Accepts what report-to-gerrit's `results` file may hold: one job result, a list of them, or a
 * build set ({pipeline, jobs}). Returns the jobs and the build set fields that were present.
 */
export function parseResults(
  value: unknown,
  path = 'results',
): { jobs: JobResult[]; buildSet?: Partial<BuildSet> } {
  if (Array.isArray(value)) return { jobs: value.map((j, i) => parseJobResult(j, `${path}[${i}]`)) }
  const o = asObject(value, path)
  if ('jobs' in o) {
    const jobs = asArray(o.jobs, `${path}.jobs`).map((j, i) => parseJobResult(j, `${path}.jobs[${i}]`))
    const buildSet: Partial<BuildSet> = {}
    const pipeline = asOptionalString(o.pipeline, `${path}.pipeline`)
    const url = asOptionalString(o.url, `${path}.url`)
    if (pipeline) buildSet.pipeline = pipeline
    if (url) buildSet.url = url
    if (o.change !== undefined) buildSet.change = parseChange(o.change, `${path}.change`)
    if (jobs.length === 0) throw new ContractError(`${path}.jobs`, 'a build set needs at least one job')
    return { jobs, buildSet }
  }
  return { jobs: [parseJobResult(o, path)] }
}

/** Overall outcome of a build set, as Zuul decides it: only voting jobs count. */
export function buildSetSucceeded(jobs: readonly JobResult[]): boolean {
  return jobs.filter((j) => j.voting).every((j) => j.result === 'SUCCESS' || j.result === 'SKIPPED')
}
