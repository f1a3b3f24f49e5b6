import { copyOf } from './bytes.js'

/**
 * A test's file attachment (traceback, reason, pythonlogging, ...), kept within a byte cap: the
 * head and the tail survive, the middle is dropped and counted, so a huge log cannot exhaust
 * memory while the end of a traceback (the useful part) is never lost.
 */
export class Attachment {
  size = 0
  private head: Uint8Array[] = []
  private headLen = 0
  private tail: Uint8Array[] = []
  private tailLen = 0

  constructor(
    readonly name: string,
    readonly mimeType: string,
    private readonly cap: number,
  ) {}

  get truncated(): boolean {
    return this.size > this.headLen + this.tailLen
  }

  /**
   * Adds bytes. Without `copy` the attachment keeps views into the caller's buffer (the decoder's
   * input chunk), which is cheap for the many attachments that are dropped when their test passes;
   * `materialize()` must then run before that buffer is reused. Views are compacted after a while
   * so one attachment cannot pin many input chunks.
   */
  append(bytes: Uint8Array, copy = true): void {
    this.size += bytes.length
    const headCap = this.cap >> 1
    if (this.headLen < headCap) {
      const take = Math.min(headCap - this.headLen, bytes.length)
      this.head.push(kept(bytes.subarray(0, take), copy))
      this.headLen += take
      bytes = bytes.subarray(take)
      if (!bytes.length) return this.compactIfFragmented()
    }
    const tailCap = this.cap - headCap
    if (bytes.length >= tailCap) {
      this.tail = [kept(bytes.subarray(bytes.length - tailCap), copy)]
      this.tailLen = tailCap
      return this.compactIfFragmented()
    }
    this.tail.push(kept(bytes, copy))
    this.tailLen += bytes.length
    while (this.tailLen > tailCap) {
      const first = this.tail[0]!
      const excess = this.tailLen - tailCap
      if (first.length <= excess) {
        this.tail.shift()
        this.tailLen -= first.length
      } else {
        this.tail[0] = first.subarray(excess)
        this.tailLen -= excess
      }
    }
    this.compactIfFragmented()
  }

  private compactIfFragmented(): void {
    if (this.head.length + this.tail.length > 32) this.materialize()
  }

  /** Copies the kept bytes into buffers of its own, releasing any views into input chunks. */
  materialize(): void {
    if (this.head.length) this.head = [own(this.head)]
    if (this.tail.length) this.tail = [own(this.tail)]
  }

  /** Drops everything but the last `keep` bytes (used when a run's retained budget is spent). */
  shrink(keep: number): void {
    if (this.headLen + this.tailLen <= keep) return
    const all = Buffer.concat([...this.head, ...this.tail])
    this.head = []
    this.headLen = 0
    // A copy of the part kept: a view would hold on to all of it, past the run's budget.
    this.tail = [copyOf(all, all.length - keep)]
    this.tailLen = keep
  }

  get retainedBytes(): number {
    return this.headLen + this.tailLen
  }

  bytes(): Buffer {
    return Buffer.concat([...this.head, ...this.tail])
  }

  get isText(): boolean {
    return /^text\//i.test(this.mimeType.trim())
  }

  /** The content as text, with a marker where the middle was dropped. */
  text(): string {
    if (!this.truncated) return utf8(this.tail.length ? [...this.head, ...this.tail] : this.head)
    const dropped = this.size - this.headLen - this.tailLen
    return `${utf8(this.head)}\n[… ${dropped} bytes truncated …]\n${utf8(this.tail)}`
  }
}

// Node's native UTF-8 slice, called on any Uint8Array: no Buffer wrapper per attachment (a large
// run decodes thousands of skip reasons and tracebacks, each only once, in code not yet optimised).
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice: (start: number, end: number) => string })
  .utf8Slice

/** What append keeps of `b`: a copy, or with `copy` false the view itself. */
function kept(b: Uint8Array, copy: boolean): Uint8Array {
  return copy ? copyOf(b) : b
}

/** A copy of the pieces in one buffer (usually one piece: no Buffer.concat and its checks). */
function own(pieces: Uint8Array[]): Uint8Array {
  return pieces.length === 1 ? copyOf(pieces[0]!) : Buffer.concat(pieces)
}

/** Pieces decoded as one: a multi-byte character may be split between two of them. */
function utf8(pieces: Uint8Array[]): string {
  const p = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces)
  return utf8Slice.call(p, 0, p.length)
}
