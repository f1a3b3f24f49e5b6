import { detailsText, failureMessage } from './details.js'
import type { ResultCollector, TestResult } from './results.js'
import { junitNames } from './test-id.js'
import { xmlAttr, xmlSafe, xmlText } from './xml.js'

export interface JUnitOptions {
  /** testsuite name; subunit2junitxml leaves it empty. */
  suiteName?: string
}

/** junitxml's `%0.3f` of a timedelta, computed the same way (whole seconds + 1e-6 × µs). */
export function junitSeconds(micros: number): string {
  const whole = Math.floor(micros / 1e6)
  const x = whole + 0.000001 * (micros - whole * 1e6)
  // toFixed rounds a tie up; Python's %f rounds it to even. The only values exactly on a tie at
  // three decimals are odd sixteenths (0.0625, 0.1875, ...): their fourth decimal is the 5.
  const sixteenths = x * 16
  if (Number.isInteger(sixteenths) && sixteenths % 2 === 1) {
    const four = x.toFixed(4)
    if ((four.charCodeAt(four.length - 2) - 48) % 2 === 0) return four.slice(0, -1)
  }
  return x.toFixed(3)
}

/**
 * JUnit XML with the same test cases, names and outcomes as subunit2junitxml (classname/name split,
 * <failure> for fail, uxsuccess and unfinished tests, <skipped> with the reason, xfail as a pass,
 * times from the stream's clock as junitxml computes them), wrapped in <testsuites> with a
 * `skipped` count, which GitHub test reporters and Jenkins read. Written piece by piece.
 */
export function writeJUnit(
  results: ResultCollector,
  write: (chunk: string) => void,
  options: JUnitOptions = {},
): void {
  const counts = results.counts()
  const first = results.firstTimestamp
  const last = results.lastTimestamp
  const suiteTime = first !== undefined && last !== undefined ? junitSeconds(last - first) : '0.000'
  const failures = counts.failed
  write('<?xml version="1.0" encoding="UTF-8"?>\n')
  write(
    `<testsuites tests="${counts.total}" failures="${failures}" errors="0" skipped="${counts.skipped}" time="${suiteTime}">\n`,
  )
  write(
    `<testsuite name="${xmlAttr(options.suiteName ?? '')}" tests="${counts.total}" failures="${failures}" errors="0" skipped="${counts.skipped}" time="${suiteTime}">\n`,
  )
  // junitxml's clock: the last timestamp passed to time(); a test without a start timestamp
  // starts at whatever the clock last said.
  let clock: number | undefined
  let buffer = ''
  // Indexed: for-of made an iterator result per test until the loop was optimised.
  const tests = results.tests
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i]!
    if (t.start !== undefined) clock = t.start
    const testStart = clock
    if (t.end !== undefined) clock = t.end
    const duration =
      testStart !== undefined && clock !== undefined ? junitSeconds(clock - testStart) : '0.000'
    buffer += testCase(t, duration)
    if (buffer.length > 65536) {
      write(buffer)
      buffer = ''
    }
  }
  write(buffer)
  write('</testsuite>\n</testsuites>\n')
}

export function renderJUnit(results: ResultCollector, options: JUnitOptions = {}): string {
  let out = ''
  writeJUnit(results, (c) => (out += c), options)
  return out
}

function testCase(t: TestResult, time: string): string {
  const { classname, name } = junitNames(t.id)
  // One scan of the id answers for both of its parts.
  const open =
    t.plainId || xmlSafe(t.id)
      ? `<testcase classname="${classname}" name="${name}" time="${time}"`
      : `<testcase classname="${xmlAttr(classname)}" name="${xmlAttr(name)}" time="${time}"`
  if (t.outcome === 'passed') return `${open}/>\n`
  if (t.outcome === 'skipped') {
    // A loop, not find(): thousands of skips, each through this once.
    let reason = 'No reason given'
    for (const a of t.attachments) {
      if (a.name === 'reason') {
        reason = a.text()
        break
      }
    }
    return `${open}>\n<skipped>${xmlAttr(reason)}</skipped>\n</testcase>\n`
  }
  if (t.status === 'uxsuccess')
    return `${open}>\n<failure type="unittest.case._UnexpectedSuccess"/>\n</testcase>\n`
  const text = `testtools.testresult.real._StringException: ${detailsText(t.attachments)}\n`
  // `message` is what GitHub reporters and Jenkins show in the list; junitxml has none.
  const message = xmlAttr(failureMessage(t.attachments, t.status))
  return `${open}>\n<failure type="testtools.testresult.real._StringException" message="${message}">${xmlText(text)}</failure>\n</testcase>\n`
}
