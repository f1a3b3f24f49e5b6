import { createReadStream } from 'node:fs'
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
  const input = typeof source === 'string' ? createReadStream(source, { highWaterMark: 1 << 16 }) : source
  for await (const chunk of input as AsyncIterable<Uint8Array>) decoder.write(chunk)
  decoder.end()
  results.end()
  return { results, bytes: decoder.offset, packets: decoder.packets, parseErrors: decoder.parseErrors }
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
