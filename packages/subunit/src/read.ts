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
  const decoder = new SubunitDecoder(results.handle, options)
  if (typeof source === 'string') readFileInChunks(source, (chunk) => decoder.write(chunk))
  else for await (const chunk of source as AsyncIterable<Uint8Array>) decoder.write(chunk)
  decoder.end()
  results.end()
  return { results, bytes: decoder.offset, packets: decoder.packets, parseErrors: decoder.parseErrors }
}

/**
 * Reads a file synchronously in fresh 64 KiB chunks. A stream file is local and read once; on a
 * busy runner each asynchronous read costs a trip through the thread pool, which made half of a
 * 100 MB parse idle time. Fresh buffers, because the decoder and the collector keep views.
 */
function readFileInChunks(path: string, onChunk: (chunk: Uint8Array) => void): void {
  const fd = openSync(path, 'r')
  try {
    for (;;) {
      const buf = Buffer.allocUnsafeSlow(64 * 1024)
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
  const decoder = new SubunitDecoder(results.handle, options)
  decoder.write(bytes)
  decoder.end()
  results.end()
  return { results, bytes: decoder.offset, packets: decoder.packets, parseErrors: decoder.parseErrors }
}
