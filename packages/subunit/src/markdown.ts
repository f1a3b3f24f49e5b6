import { failureMessage } from './details.js'
import { durationSeconds, workerOf, type ResultCollector, type TestResult } from './results.js'

/** GitHub refuses a step summary over 1 MiB; leave room for what other steps append. */
export const SUMMARY_LIMIT = 1024 * 1024

export interface MarkdownOptions {
  title?: string
  /** Bytes the summary may take (default: 900 KiB, under GitHub's 1 MiB). */
  maxBytes?: number
  slowest?: number
  /** Bytes of each traceback shown (its end). */
  tracebackBytes?: number
  /** A line under the title, e.g. "timed out after 60 min: partial results". */
  note?: string
}

const fence = (text: string) => {
  const ticks = text.includes('```') ? '~~~~' : '```'
  return `${ticks}\n${text}\n${ticks}`
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function html(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * The job summary: totals, each failure with its traceback folded, the slowest tests and the
 * worker balance. Failures are listed until the byte budget is reached; the rest are counted.
 */
export function renderMarkdown(results: ResultCollector, options: MarkdownOptions = {}): string {
  const max = options.maxBytes ?? 900 * 1024
  const tbBytes = options.tracebackBytes ?? 8 * 1024
  const c = results.counts()
  const out: string[] = []
  const head: string[] = []
  head.push(`### ${options.title ?? 'Test results'}`, '')
  if (options.note) head.push(options.note, '')
  const status = c.total === 0 ? '⚠️ no tests ran' : c.failed ? `❌ ${c.failed} failed` : '✅ all passed'
  head.push(
    `**${status}** — ${c.total} tests: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped` +
      (c.expectedFailures ? ` (${c.expectedFailures} expected failures counted as passed)` : '') +
      (c.unexpectedSuccesses ? `, ${c.unexpectedSuccesses} unexpected successes counted as failed` : '') +
      (c.unfinished ? `, ${c.unfinished} did not finish` : ''),
    '',
  )
  const tail: string[] = []
  // Slowest tests and worker balance are small and fixed-size; reserve them before failures.
  const timed = results.tests
    .map((t) => [t, durationSeconds(t)] as const)
    .filter((x): x is readonly [TestResult, number] => x[1] !== undefined)
  if (timed.length) {
    const slow = [...timed].sort((a, b) => b[1] - a[1]).slice(0, options.slowest ?? 10)
    tail.push('#### Slowest tests', '', '| test | seconds |', '|---|---:|')
    for (const [t, s] of slow) tail.push(`| \`${escapeCell(t.id)}\` | ${s.toFixed(3)} |`)
    tail.push('')
  }
  const workers = new Map<string, { tests: number; seconds: number }>()
  for (const [t, s] of timed) {
    const w = workerOf(t) ?? '(none)'
    const e = workers.get(w) ?? { tests: 0, seconds: 0 }
    e.tests++
    e.seconds += s
    workers.set(w, e)
  }
  if (workers.size > 1 || (workers.size === 1 && !workers.has('(none)'))) {
    tail.push('#### Worker balance', '', '| worker | tests | seconds |', '|---|---:|---:|')
    const sorted = [...workers].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }))
    for (const [w, e] of sorted) tail.push(`| ${w} | ${e.tests} | ${e.seconds.toFixed(1)} |`)
    tail.push('')
  }
  let used = Buffer.byteLength(head.join('\n') + tail.join('\n')) + 200
  const failed = results.tests.filter((t) => t.outcome === 'failed')
  if (failed.length) {
    out.push(`#### Failures (${failed.length})`, '')
    let shown = 0
    for (const t of failed) {
      const tb = t.attachments.find((a) => a.name === 'traceback' || a.name === 'Parser Error')
      let text = tb ? tb.text() : ''
      if (Buffer.byteLength(text) > tbBytes)
        text = '[…]\n' + Buffer.from(text).subarray(-tbBytes).toString('utf8')
      const block = [
        `<details><summary><code>${html(t.id)}</code> — ${html(failureMessage(t.attachments, t.status))}</summary>`,
        '',
        text ? fence(text) : `_${t.status === 'uxsuccess' ? 'unexpected success' : 'no traceback'}_`,
        '',
        '</details>',
        '',
      ].join('\n')
      const size = Buffer.byteLength(block)
      if (used + size > max) break
      out.push(block)
      used += size
      shown++
    }
    if (shown < failed.length)
      out.push(`_${failed.length - shown} more failures not shown (summary size limit)._`, '')
  }
  return [...head, ...out, ...tail].join('\n')
}
