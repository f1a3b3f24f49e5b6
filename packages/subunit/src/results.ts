import { Attachment } from './attachment.js'
import { copyOf } from './bytes.js'
import type { SubunitEvent } from './event.js'
import { parseTestId, type TestIdParts } from './test-id.js'
import type { WireStatus } from './wire.js'

/**
 * What a test came to, for people and for the job result:
 *   success → passed; xfail → passed (expectedFailure); skip → skipped;
 *   fail, uxsuccess (unexpectedSuccess), and a test that started but never finished → failed.
 * This is how testtools' StreamToExtendedDecorator feeds subunit2junitxml (inprogress and
 * 'unknown' go to addFailure, uxsuccess to addUnexpectedSuccess, which junitxml counts as a
 * failure). subunit-stats counts uxsuccess and unfinished tests as passed; we do not.
 */
export type Outcome = 'passed' | 'failed' | 'skipped'

/** The last status the stream gave the test; 'unknown' when it only ever sent files. */
export type FinalStatus = Exclude<WireStatus, 'exists'> | 'unknown'

export interface TestResult {
  id: string
  /** The id is printable ASCII without " & < >, as the decoder found: it needs no escaping. */
  plainId?: boolean
  routeCode?: string
  outcome: Outcome
  status: FinalStatus
  /** Never got a final status (still inprogress, or only files) before the stream ended. */
  unfinished: boolean
  /** Microseconds since the epoch: the timestamp of the test's first event, if it had one. */
  start?: number
  /** Microseconds since the epoch: the timestamp of its last event, if it had one. */
  end?: number
  tags: string[]
  attachments: Attachment[]
  /** Class, method and tempest attributes of the id (computed when asked: most tests never are). */
  readonly parts: TestIdParts
}

/** Shared by every test that keeps no attachment (all passes): no array per test. */
const NONE: Attachment[] = []
const NO_TAGS: string[] = []
const EMPTY = new Uint8Array(0)

/**
 * A test's first file packet, kept as it came (a view into the decoder's buffer) until another
 * file packet or the outcome says whether an Attachment is worth making: most tests send one log
 * and pass, and their log is dropped.
 */
interface PendingFile {
  name: string
  mime: string | undefined
  buffer: Uint8Array
  start: number
  end: number
}

/**
 * A test from its first event to the end of the run: the collector fills it in while the test
 * runs and hands the same object out as its result (one object per test, not two). Only what the
 * result needs is a field: thirty thousand of these live to the end of the run, and every byte of
 * them is copied by the garbage collector.
 */
class TestRecord implements TestResult {
  /** While the test runs, the last status the stream sent ('unknown' until one comes). */
  status: FinalStatus = 'unknown'
  end: number | undefined = undefined
  tags: string[] = NO_TAGS
  attachments: Attachment[] = NONE
  pending: PendingFile | undefined = undefined

  constructor(
    readonly id: string,
    readonly routeCode: string | undefined,
    public start: number | undefined,
    readonly plainId: boolean,
  ) {}

  get outcome(): Outcome {
    return outcomeOf(this.status)
  }

  get unfinished(): boolean {
    return this.status === 'inprogress' || this.status === 'unknown'
  }

  get parts(): TestIdParts {
    return parseTestId(this.id)
  }
}

export interface ResultCounts {
  total: number
  passed: number
  failed: number
  skipped: number
  expectedFailures: number
  unexpectedSuccesses: number
  unfinished: number
}

export interface CollectorOptions {
  /** Bytes kept per attachment (head + tail). */
  attachmentCap?: number
  /**
   * Bytes of attachments kept over the whole run; past it, new attachments keep only their last
   * `attachmentTailWhenFull` bytes. Attachments of passed tests are never kept: no renderer shows
   * them and they are most of a tempest stream. With `keep: false` nothing is kept, so no budget.
   */
  retainBudget?: number
  attachmentTailWhenFull?: number
  /** Non-subunit bytes kept (head + tail) for the run's `stdout`. */
  stdoutCap?: number
  /**
   * Called for every finished test, in the order subunit2junitxml would write it. readSubunit on
   * a file calls it once the CRCs of the chunk that finished the test have checked good: up to a
   * chunk late, when `counts()` already include the rest of that chunk.
   */
  onTest?: (test: TestResult) => void
  /**
   * False: finished tests go to `onTest` only and `tests` stays empty, so a run's memory does not
   * grow with its number of tests (counts and timestamps are still kept). Default true.
   */
  keep?: boolean
}

export function outcomeOf(status: FinalStatus): Outcome {
  switch (status) {
    case 'success':
    case 'xfail':
      return 'passed'
    case 'skip':
      return 'skipped'
    default:
      return 'failed'
  }
}

/**
 * Turns decoder events into per-test results exactly as testtools' _StreamToTestRecord does for
 * subunit2junitxml: events keyed by (test id, route code); `exists` events ignored; a test is
 * finished by its first status other than inprogress; tags are the last ones seen; the start is
 * the first event's timestamp and the end the last event's (even when that one has none); file
 * bytes are appended per name, the first MIME type wins; unfinished tests are flushed at the end,
 * newest first.
 */
export class ResultCollector {
  /** Finished tests, in order (none when `keep` is false). */
  readonly tests: TestResult[] = []
  readonly stdout: Attachment
  private readonly open = new Map<string, TestRecord>()
  private retained = 0
  private readonly cap: number
  private readonly budget: number
  private readonly tailWhenFull: number
  private readonly keep: boolean
  /** Earliest and latest timestamps junitxml's clock sees (suite time). */
  firstTimestamp: number | undefined
  lastTimestamp: number | undefined
  ended = false

  constructor(private readonly options: CollectorOptions = {}) {
    this.cap = options.attachmentCap ?? 64 * 1024
    this.budget = options.retainBudget ?? 48 * 1024 * 1024
    this.tailWhenFull = options.attachmentTailWhenFull ?? 4096
    this.keep = options.keep ?? true
    this.stdout = new Attachment('stdout', 'text/plain', options.stdoutCap ?? 256 * 1024)
  }

  readonly handle = (e: SubunitEvent): void => {
    if (e.status === 'exists') return
    if (e.testId === undefined) {
      if (e.fileName !== undefined && e.fileBytes?.length) this.stdout.append(e.fileBytes)
      return
    }
    const key = e.routeCode === undefined ? e.testId : `${e.testId}\u0000${e.routeCode}`
    // No lookup while no other test is open (the usual case): hashing a new id is not free.
    let r = key === this.hotKey ? this.hot : this.open.size === 0 ? undefined : this.open.get(key)
    if (!r) {
      r = new TestRecord(e.testId, e.routeCode, e.timestamp, e.testIdPlain === true)
      // The newest open test stays out of the map until another one starts: tests mostly run one
      // after the other, so most never enter it. The map keeps the others in the order they began.
      if (this.hot !== undefined) this.open.set(this.hotKey!, this.hot)
      this.hot = r
      this.hotKey = key
    }
    if (e.status !== undefined) r.status = e.status as FinalStatus
    r.end = e.timestamp
    if (e.fileName !== undefined) {
      // From the reused event, the content's place in the decoder's buffer: no view unless kept.
      const buffer = e.fileBuffer
      if (buffer !== undefined) {
        if (e.fileEnd! > e.fileStart!)
          this.addFile(r, e.fileName, e.mimeType, buffer, e.fileStart!, e.fileEnd!)
      } else if (e.fileBytes?.length) {
        this.addFile(r, e.fileName, e.mimeType, e.fileBytes, 0, e.fileBytes.length)
      }
    }
    if (e.tags !== undefined) r.tags = this.intern(e.tags)
    if (e.status !== undefined && e.status !== 'inprogress') {
      if (r === this.hot) {
        this.hot = undefined
        this.hotKey = undefined
      } else this.open.delete(key)
      this.finish(r)
    }
  }

  /** File bytes are appended per name; the first MIME type wins. */
  private addFile(
    r: TestRecord,
    name: string,
    mime: string | undefined,
    buffer: Uint8Array,
    start: number,
    end: number,
  ): void {
    if (r.attachments === NONE && r.pending === undefined) {
      // The object a finished test gave back, if any: tests run one after another, so one will do.
      const p = this.spare ?? { name, mime, buffer, start, end }
      this.spare = undefined
      p.name = name
      p.mime = mime
      p.buffer = buffer
      p.start = start
      p.end = end
      r.pending = p
      return
    }
    this.settlePending(r)
    // A loop, not find(): no closure per file packet.
    let a: Attachment | undefined
    for (const x of r.attachments) {
      if (x.name === name) {
        a = x
        break
      }
    }
    if (!a) {
      a = new Attachment(name, mime ?? 'application/octet-stream', this.cap)
      r.attachments.push(a)
    }
    // Views, not copies: most attachments belong to tests that pass and are dropped.
    a.append(start === 0 && end === buffer.length ? buffer : buffer.subarray(start, end), false)
  }

  /** A PendingFile no test holds any more. */
  private spare: PendingFile | undefined

  /** Turns a test's first file packet into an Attachment. */
  private settlePending(r: TestRecord): void {
    const p = r.pending
    if (p === undefined) {
      if (r.attachments === NONE) r.attachments = []
      return
    }
    const a = new Attachment(p.name, p.mime ?? 'application/octet-stream', this.cap)
    a.append(p.buffer.subarray(p.start, p.end), false)
    r.attachments = [a]
    this.release(r)
  }

  private release(r: TestRecord): void {
    const p = r.pending!
    r.pending = undefined
    p.buffer = EMPTY
    this.spare = p
  }

  /** The most recently started open test (not in `open`) and its key. */
  private hot: TestRecord | undefined
  private hotKey: string | undefined

  /**
   * Copies what open tests keep of their attachments into buffers of their own, so that the
   * caller may reuse the buffer it last gave the decoder (finished tests already hold copies).
   */
  detach(): void {
    if (this.hot !== undefined) detachRecord(this.hot)
    for (const r of this.open.values()) detachRecord(r)
  }

  private readonly tagSets = new Map<string, string[]>()

  /** One array per distinct tag set: 30 000 tests share a handful of `worker-N` arrays. */
  private intern(tags: string[]): string[] {
    // The decoder hands packets with the same tag bytes the same array.
    if (tags === this.lastTagsIn) return this.lastTagsOut!
    let shared = this.seenTags.get(tags)
    if (shared === undefined) {
      shared = this.internNew(tags)
      if (this.seenTags.size < 1000) this.seenTags.set(tags, shared)
    }
    this.lastTagsIn = tags
    return (this.lastTagsOut = shared)
  }

  private lastTagsIn: string[] | undefined
  private lastTagsOut: string[] | undefined
  /** Arrays the decoder gave, by identity, and the shared array each stands for. */
  private readonly seenTags = new Map<string[], string[]>()

  private internNew(tags: string[]): string[] {
    const key = tags.join('\u0000')
    let shared = this.tagSets.get(key)
    if (!shared) {
      if (this.tagSets.size > 10_000) return tags
      this.tagSets.set(key, (shared = tags))
    }
    return shared
  }

  /** The stream ended: tests without a final status are failures (testtools' stopTestRun). */
  end(): void {
    if (this.ended) return
    this.ended = true
    const left = [...this.open.values()]
    if (this.hot !== undefined) left.push(this.hot)
    left.reverse()
    this.open.clear()
    this.hot = undefined
    this.hotKey = undefined
    for (const r of left) {
      r.end = undefined
      this.finish(r)
    }
  }

  private finish(r: TestRecord): void {
    const status = r.status
    const outcome = outcomeOf(status)
    // Keep only what a report shows: nothing for a pass, the reason for a skip, everything for a
    // failure or an expected failure. On a tempest stream this is most of the memory saved.
    if (outcome === 'passed' && status !== 'xfail') {
      r.attachments = NONE
      if (r.pending !== undefined) this.release(r)
    } else {
      if (r.pending !== undefined) this.settlePending(r)
      let attachments = r.attachments
      if (outcome === 'skipped') attachments = r.attachments = attachments.filter((a) => a.name === 'reason')
      for (const a of attachments) {
        a.materialize()
        // The budget is for what stays to the end; a test not kept takes its bytes with it.
        if (!this.keep) continue
        if (this.retained + a.retainedBytes > this.budget) a.shrink(this.tailWhenFull)
        this.retained += a.retainedBytes
      }
    }
    // The junitxml clock only sees the two timestamps testtools passes on.
    this.clock(r.start)
    this.clock(r.end)
    this.count(r, outcome)
    if (this.keep) this.tests.push(r)
    this.options.onTest?.(r)
  }

  /** Kept up to date as tests finish: every renderer asks, and a pass over 30 000 tests is not free. */
  private readonly tally: ResultCounts = {
    total: 0,
    passed: 0,
    failed: 0,
    skipped: 0,
    expectedFailures: 0,
    unexpectedSuccesses: 0,
    unfinished: 0,
  }

  private count(r: TestRecord, outcome: Outcome): void {
    const c = this.tally
    c.total++
    if (outcome === 'passed') c.passed++
    else if (outcome === 'failed') c.failed++
    else c.skipped++
    if (r.status === 'xfail') c.expectedFailures++
    else if (r.status === 'uxsuccess') c.unexpectedSuccesses++
    if (r.unfinished) c.unfinished++
  }

  private clock(t: number | undefined): void {
    if (t === undefined) return
    if (this.firstTimestamp === undefined || t < this.firstTimestamp) this.firstTimestamp = t
    this.lastTimestamp = t
  }

  /** Totals of the tests finished so far. */
  counts(): ResultCounts {
    return { ...this.tally }
  }
}

/** Lets the decoder reuse its buffer: copies what a running test holds of it. */
function detachRecord(r: TestRecord): void {
  const p = r.pending
  if (p !== undefined) {
    p.buffer = copyOf(p.buffer, p.start, p.end)
    p.start = 0
    p.end = p.buffer.length
  }
  for (const a of r.attachments) a.materialize()
}

/** Seconds a test took, as junitxml computes it from the stream's timestamps. */
export function durationSeconds(t: TestResult): number | undefined {
  if (t.start === undefined || t.end === undefined) return undefined
  return (t.end - t.start) / 1e6
}

/** `worker-N` tags (stestr's partition), for worker balance. */
export function workerOf(t: TestResult): string | undefined {
  return t.tags.find((tag) => /^worker-\d+$/.test(tag))
}
