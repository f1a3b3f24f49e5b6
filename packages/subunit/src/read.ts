import { closeSync, openSync, readSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { SubunitDecoder, type DecoderOptions } from './decoder.js'
import { ResultCollector, type CollectorOptions } from './results.js'

export interface ParsedStream {
  results: ResultCollector
  bytes: number
  packets: number
  parseErrors: number
}

/** Reads a whole subunit v2 stream (a file path or a byte stream) into results, chunk by chunk. */
export async function readSubunit(
  source: string | Readable | AsyncIterable<Uint8Array>,
  options: CollectorOptions & DecoderOptions = {},
): Promise<ParsedStream> {
  const results = new ResultCollector(options)
  // The collector keeps nothing of an event object: one will do for every packet.
  const decoder = new SubunitDecoder(results.handle, { ...options, reuseEvent: true })
  if (typeof source === 'string')
    readFileInChunks(source, (chunk) => {
      decoder.write(chunk)
      // The buffer is read into again: open tests must not keep views into it.
      results.detach()
    })
  else for await (const chunk of source as AsyncIterable<Uint8Array>) decoder.write(chunk)
  decoder.end()
  results.end()
  return { results, bytes: decoder.offset, packets: decoder.packets, parseErrors: decoder.parseErrors }
}

const READ_CHUNK = 1024 * 1024

/**
 * Reads a file synchronously into one 1 MiB buffer, over and over: `onChunk` must keep no view
 * into a chunk once it returns. A stream file is local and read once; on a busy runner each
 * asynchronous read costs a trip through the thread pool, which made half of a 100 MB parse idle
 * time. One buffer, not a fresh one per chunk: fresh memory costs page faults and garbage
 * collection (64 KiB chunks were 15% of a 100 MB parse).
 */
function readFileInChunks(path: string, onChunk: (chunk: Uint8Array) => void): void {
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.allocUnsafeSlow(READ_CHUNK)
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null)
      if (n === 0) break
      onChunk(buf.subarray(0, n))
    }
  } finally {
    closeSync(fd)
  }
}

/** Same, for bytes already in memory (tests, small streams). */
export function parseSubunit(
  bytes: Uint8Array,
  options: CollectorOptions & DecoderOptions = {},
): ParsedStream {
  const results = new ResultCollector(options)
  // The collector keeps nothing of an event object: one will do for every packet.
  const decoder = new SubunitDecoder(results.handle, { ...options, reuseEvent: true })
  decoder.write(bytes)
  decoder.end()
  results.end()
  return { results, bytes: decoder.offset, packets: decoder.packets, parseErrors: decoder.parseErrors }
}
