import { buildSetSucceeded, formatZuulDuration, type JobResult } from '@stackci/model'
import { GerritInputError } from './errors.js'

/**
 * The report comment, in Zuul's format (zuul/reporter/__init__.py) with OpenStack's
 * "Build succeeded (check pipeline)." header, so that the zuul-results-summary plugin, the older
 * hideci.js parser and CI dashboards read it:
 *
 *   Build failed (check pipeline).
 *   https://github.com/acme/ci/actions/runs/1/attempts/1
 *
 *   - tempest-ironic https://logs.example.org/1 : FAILURE in 1h 02m 03s
 *   - pep8 https://logs.example.org/2 : SUCCESS in 48s (non-voting)
 *
 *   <footer: the CI's contact page, as the third-party rules require>
 */

/**
 * The plugin's header regex is `^Build (?<status>\w+) \((?<pipeline>[\w]+) pipeline\)\.`: a
 * pipeline name outside \w+ (e.g. third-party-check) makes the whole report invisible to it.
 */
export const PIPELINE_NAME_RE = /^\w+$/

/**
 * Zuul's GERRIT_HUMAN_MESSAGE_LIMIT: Gerrit rejects comments over change.commentSizeLimit
 * (16 KiB by default); Zuul keeps this much headroom for what Gerrit adds.
 */
export const GERRIT_MESSAGE_LIMIT = 16056

export function checkPipelineName(pipeline: string): string {
  if (!PIPELINE_NAME_RE.test(pipeline)) {
    throw new GerritInputError(
      'pipeline',
      `'${pipeline}' must be letters, digits and underscores only: Gerrit's zuul-results-summary ` +
        `plugin cannot parse "(${pipeline} pipeline)"`,
    )
  }
  return pipeline
}

export function reportHeader(pipeline: string, succeeded: boolean): string {
  return `Build ${succeeded ? 'succeeded' : 'failed'} (${checkPipelineName(pipeline)} pipeline).`
}

/** A job failed when its result is anything but SUCCESS or SKIPPED. */
export function jobFailed(job: JobResult): boolean {
  return job.result !== 'SUCCESS' && job.result !== 'SKIPPED'
}

/**
 * `- <job> <url> : <RESULT>[ <error detail>][ in <elapsed>][ (non-voting)]`. Parsers split on
 * spaces, so whitespace in a job name becomes '-', in a URL '%20'; Zuul puts the job name where
 * there is no URL ("the gerrit consumption interface depends on something existing in the url field").
 */
export function formatJobLine(job: JobResult): string {
  const name = job.name.trim().replace(/\s+/g, '-')
  const url = job.url ? job.url.trim().replace(/\s/g, '%20') : name
  const detail = job.errorDetail ? ` ${job.errorDetail.replace(/\s+/g, ' ').trim()}` : ''
  const elapsed = job.durationSeconds !== undefined ? ` in ${formatZuulDuration(job.durationSeconds)}` : ''
  return `- ${name} ${url} : ${job.result}${detail}${elapsed}${job.voting ? '' : ' (non-voting)'}`
}

export interface ReportMessageInput {
  pipeline: string
  jobs: JobResult[]
  /** Link to the whole run (Zuul's buildset URL); also the report's identity for exactly-once. */
  runUrl?: string
  /** Closing text: the CI's contact page (third-party rules: every comment links to it). */
  footer?: string
  /** Byte budget (default GERRIT_MESSAGE_LIMIT). */
  maxBytes?: number
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8')

/** Cuts to at most `max` UTF-8 bytes without splitting a character. */
function cutBytes(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8')
  if (b.length <= max) return s
  let end = max
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--
  return b.subarray(0, end).toString('utf8')
}

/**
 * The report comment. Over the budget, job lines go first — successful ones before failed ones —
 * with a line saying how many are not shown; the header, the run link and the footer stay.
 */
export function reportMessage(input: ReportMessageInput): string {
  if (input.jobs.length === 0) throw new GerritInputError('results', 'no jobs to report')
  const max = input.maxBytes ?? GERRIT_MESSAGE_LIMIT
  const header = `${reportHeader(input.pipeline, buildSetSucceeded(input.jobs))}\n${input.runUrl ? `${input.runUrl}\n` : ''}\n`
  const footer = input.footer?.trim() ? `\n${input.footer.trim()}\n` : ''
  const lines = input.jobs.map((j) => ({ text: `${formatJobLine(j)}\n`, failed: jobFailed(j) }))
  const full = header + lines.map((l) => l.text).join('') + footer
  if (bytes(full) <= max) return full

  const omittedNote = (failed: number, other: number) =>
    `(${failed + other} more job${failed + other === 1 ? '' : 's'} not shown: ${failed} failed, ` +
    `${other} succeeded or skipped; see the run page)\n`
  // Reserve room for the longest note this message could need.
  let budget = max - bytes(header) - bytes(footer) - bytes(omittedNote(lines.length, lines.length))
  const keep = new Set<number>()
  for (const wantFailed of [true, false]) {
    lines.forEach((l, i) => {
      if (l.failed !== wantFailed) return
      const size = bytes(l.text)
      if (size <= budget) {
        keep.add(i)
        budget -= size
      }
    })
  }
  const omittedFailed = lines.filter((l, i) => l.failed && !keep.has(i)).length
  const omittedOther = lines.filter((l, i) => !l.failed && !keep.has(i)).length
  const body = lines
    .filter((_, i) => keep.has(i))
    .map((l) => l.text)
    .join('')
  const text = header + body + omittedNote(omittedFailed, omittedOther) + footer
  if (bytes(text) <= max) return text
  // Only a header or footer larger than the budget gets here: cut like Zuul does.
  const marker = '... (truncated)'
  return cutBytes(text, max - bytes(marker)) + marker
}
