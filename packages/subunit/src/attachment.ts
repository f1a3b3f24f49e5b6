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

  append(bytes: Uint8Array): void {
    this.size += bytes.length
    const headCap = this.cap >> 1
    if (this.headLen < headCap) {
      const take = Math.min(headCap - this.headLen, bytes.length)
      this.head.push(bytes.slice(0, take))
      this.headLen += take
      bytes = bytes.subarray(take)
      if (!bytes.length) return
    }
    const tailCap = this.cap - headCap
    if (bytes.length >= tailCap) {
      this.tail = [bytes.slice(bytes.length - tailCap)]
      this.tailLen = tailCap
      return
    }
    this.tail.push(bytes.slice())
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
  }

  /** Drops everything but the last `keep` bytes (used when a run's retained budget is spent). */
  shrink(keep: number): void {
    if (this.headLen + this.tailLen <= keep) return
    const all = Buffer.concat([...this.head, ...this.tail])
    this.head = []
    this.headLen = 0
    this.tail = [all.subarray(all.length - keep)]
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
    const head = Buffer.concat(this.head).toString('utf8')
    if (!this.truncated) return head + Buffer.concat(this.tail).toString('utf8')
    const dropped = this.size - this.headLen - this.tailLen
    return `${head}\n[… ${dropped} bytes truncated …]\n${Buffer.concat(this.tail).toString('utf8')}`
  }
}
