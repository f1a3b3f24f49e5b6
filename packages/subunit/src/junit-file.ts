import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs'
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
 * A target that cannot seek (a pipe, `/dev/stdout`) gets the header first and the test cases
 * after it, which means holding them in memory until the end.
 */
export class JUnitFile {
  private readonly fd: number
  private readonly cases = new JUnitCases((chunk) => {
    if (this.reserved) writeSync(this.fd, chunk)
    else this.held.push(chunk)
  })
  /** Bytes reserved for the header; 0 when the target cannot seek. */
  private readonly reserved: number
  /** The test cases, when the target cannot seek. */
  private readonly held: string[] = []

  constructor(
    readonly path: string,
    private readonly options: JUnitOptions = {},
  ) {
    mkdirSync(dirname(path), { recursive: true })
    this.fd = openSync(path, 'w')
    try {
      this.reserved = fstatSync(this.fd).isFile() ? Buffer.byteLength(junitHeader(WIDEST, options)) : 0
      if (this.reserved) writeSync(this.fd, ' '.repeat(this.reserved))
    } catch (e) {
      this.abort()
      throw e
    }
  }

  /** A finished test: give it as `onTest`. */
  readonly add = (t: TestResult): void => this.cases.add(t)

  /** The stream has ended: the footer, then the header with `results`' counts. */
  close(results: ResultCollector): void {
    try {
      const totals = suiteTotals(results)
      this.cases.flush()
      if (this.reserved) {
        writeSync(this.fd, JUNIT_FOOTER)
        const pad = this.reserved - Buffer.byteLength(junitHeader(totals, this.options))
        if (pad < 0) throw new Error(`JUnit header for ${this.path} is wider than the room reserved for it`)
        writeSync(this.fd, junitHeader(totals, this.options, ' '.repeat(pad)), 0)
      } else {
        writeSync(this.fd, junitHeader(totals, this.options))
        for (const chunk of this.held) writeSync(this.fd, chunk)
        this.held.length = 0
        writeSync(this.fd, JUNIT_FOOTER)
      }
      closeSync(this.fd)
    } catch (e) {
      this.abort()
      throw e
    }
  }

  /**
   * The read or the write failed: no half-written file is left to look like a report. Only the
   * regular file this writer made, under the name it was given, is removed: never a device or a
   * pipe, nor the file a symlink such as /dev/stdout leads to, nor the symlink.
   */
  abort(): void {
    let ours = false
    try {
      const written = fstatSync(this.fd)
      const named = lstatSync(this.path, { throwIfNoEntry: false })
      ours =
        written.isFile() && named?.isFile() === true && named.ino === written.ino && named.dev === written.dev
    } catch {
      // Cannot tell: leave it.
    }
    try {
      closeSync(this.fd)
    } catch {
      // Already closed, or the close itself failed.
    }
    if (ours) rmSync(this.path, { force: true })
  }
}
