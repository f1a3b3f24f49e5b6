import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import {
  JUNIT_FOOTER,
  JUnitCases,
  junitHeader,
  suiteTotals,
  type JUnitOptions,
  type SuiteTotals,
} from './junit.js'
import type { ResultCollector, TestResult } from './results.js'

/** As many digits as any count or suite time can have: 2^53 tests; a subunit clock of 2^32 s. */
const WIDEST: SuiteTotals = { tests: 2 ** 53, failures: 2 ** 53, skipped: 2 ** 53, micros: 2 ** 53 }

/**
 * A JUnit file written while the stream is read, one finished test at a time: with
 * `ResultCollector`'s `keep: false`, no test outlives its <testcase>, so memory does not grow with
 * the number of tests. The header, whose counts are known only at the end, is written last into
 * room reserved for its widest form; the difference is spaces inside the first start tag.
 */
export class JUnitFile {
  private readonly fd: number
  private readonly cases = new JUnitCases()
  private buffer = ''
  private readonly reserved: number

  constructor(
    readonly path: string,
    private readonly options: JUnitOptions = {},
  ) {
    mkdirSync(dirname(path), { recursive: true })
    this.fd = openSync(path, 'w')
    this.reserved = Buffer.byteLength(junitHeader(WIDEST, options))
    writeSync(this.fd, ' '.repeat(this.reserved))
  }

  /** A finished test: give it as `onTest`. */
  readonly add = (t: TestResult): void => {
    this.buffer += this.cases.render(t)
    if (this.buffer.length > 65536) {
      writeSync(this.fd, this.buffer)
      this.buffer = ''
    }
  }

  /** The stream has ended: the footer, then the header with `results`' counts. */
  close(results: ResultCollector): void {
    try {
      writeSync(this.fd, this.buffer + JUNIT_FOOTER)
      this.buffer = ''
      const totals = suiteTotals(results)
      const pad = this.reserved - Buffer.byteLength(junitHeader(totals, this.options))
      if (pad < 0) throw new Error(`JUnit header for ${this.path} is wider than the room reserved for it`)
      writeSync(this.fd, junitHeader(totals, this.options, ' '.repeat(pad)), 0)
    } finally {
      closeSync(this.fd)
    }
  }

  /** The read failed: no half-written file is left to look like a report. */
  abort(): void {
    closeSync(this.fd)
    rmSync(this.path, { force: true })
  }
}
