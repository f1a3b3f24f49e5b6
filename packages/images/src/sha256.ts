import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ImageError, IntegrityError } from './errors.js'

/**
 * A pass-through that hashes and counts what flows through it, so an image is hashed while it is
 * copied, uploaded or downloaded instead of read a second time.
 */
export class HashingStream extends Transform {
  private readonly hash = createHash('sha256')
  bytes = 0
  private hex: string | undefined

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk)
    this.bytes += chunk.length
    cb(null, chunk)
  }

  /** The digest, once the stream has ended. */
  digest(): string {
    this.hex ??= this.hash.digest('hex')
    return this.hex
  }
}

/**
 * IntegrityError unless what went through `hashing` has the expected sha256 and size. `message`
 * words it from what was read and what was expected, each as `<sha256> (<n> bytes)`.
 */
export function checkHashed(
  hashing: HashingStream,
  expected: { sha256: string; sizeBytes: number },
  message: (got: string, want: string) => string,
): void {
  const digest = hashing.digest()
  if (digest === expected.sha256 && hashing.bytes === expected.sizeBytes) return
  throw new IntegrityError(
    message(`${digest} (${hashing.bytes} bytes)`, `${expected.sha256} (${expected.sizeBytes} bytes)`),
    expected.sha256,
    digest,
  )
}

/**
 * 256 KiB reads: fewer syscalls and hash updates than the 64 KiB default; 1 MiB reads measured
 * 25 MB more peak RSS over a 2 GiB publish + download for no throughput gain (bench/images.bench.ts).
 */
export const READ_CHUNK = 256 << 10

export async function sha256File(path: string): Promise<{ sha256: string; size: number }> {
  const h = new HashingStream()
  await pipeline(
    createReadStream(path, { highWaterMark: READ_CHUNK }),
    h,
    async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) void chunk
    },
  )
  return { sha256: h.digest(), size: h.bytes }
}

/** `sha256sum` format, so `sha256sum -c` checks a download. */
export function formatSha256File(sha256: string, fileName: string): string {
  return `${sha256}  ${fileName}\n`
}

/** Reads the digest for `fileName` from a sha256sum-format file (also a bare digest). */
export function parseSha256File(text: string, fileName: string, source = 'sha256 file'): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
  for (const line of lines) {
    const m = /^([0-9a-fA-F]{64})(?:\s+\*?(.+))?$/.exec(line)
    if (m && (m[2] === undefined || m[2] === fileName)) return m[1]!.toLowerCase()
  }
  throw new ImageError(`${source}: no sha256 digest for '${fileName}'`)
}
