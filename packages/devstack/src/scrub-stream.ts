import { createReadStream, createWriteStream } from 'node:fs'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { scrubber } from './secrets.js'

/**
 * A byte-exact scrubbing stream: text is handled as latin1 (one char per byte), so binary files
 * pass through unchanged except where a secret's UTF-8 bytes occur. Work is done a line at a time;
 * a line longer than 1 MiB is cut where no secret straddles the cut.
 */
export class ScrubStream extends Transform {
  private pending = ''
  /** The secrets' UTF-8 bytes as latin1 text, like the stream's. */
  private readonly secrets: string[]
  private readonly scrub: (text: string) => string
  private readonly longest: number

  constructor(secrets: readonly string[]) {
    super()
    this.secrets = secrets.filter(Boolean).map((s) => Buffer.from(s, 'utf8').toString('latin1'))
    this.scrub = scrubber(this.secrets)
    this.longest = Math.max(0, ...this.secrets.map((s) => s.length))
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pending += chunk.toString('latin1')
    let cut = this.pending.lastIndexOf('\n') + 1
    if (cut === 0 && this.pending.length > 1 << 20) cut = this.safeCut(this.pending.length - this.longest)
    if (cut > 0) {
      this.push(Buffer.from(this.scrub(this.pending.slice(0, cut)), 'latin1'))
      this.pending = this.pending.slice(cut)
    }
    done()
  }

  private safeCut(at: number): number {
    let cut = Math.max(0, at)
    for (let moved = true; moved;) {
      moved = false
      for (const s of this.secrets) {
        const i = this.pending.indexOf(s, Math.max(0, cut - s.length + 1))
        if (i >= 0 && i < cut && i + s.length > cut) {
          cut = i
          moved = true
        }
      }
    }
    return cut
  }

  override _flush(done: TransformCallback): void {
    if (this.pending) this.push(Buffer.from(this.scrub(this.pending), 'latin1'))
    done()
  }
}

export async function copyScrubbed(from: string, to: string, secrets: readonly string[]): Promise<void> {
  await pipeline(createReadStream(from), new ScrubStream(secrets), createWriteStream(to))
}
