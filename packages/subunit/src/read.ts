import { closeSync, openSync, readSync, statSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { canOffloadCrc, CrcWorker } from './crc-worker.js'
import { SubunitDecoder, type DecoderOptions } from './decoder.js'
import { ResultCollector, type CollectorOptions } from './results.js'

export interface ParsedStream {
  results: ResultCollector
  bytes: number
  packets: number
  parseErrors: number
}

export interface ReadOptions {
  /**
   * Check packet CRCs of a file on a worker thread while decoding ('auto': for files of at least
   * 32 MiB, where it saves more than the worker costs to start). Never with `onTest`, which must
   * not see a test twice if the file has to be parsed again.
   */
  crcWorker?: 'auto' | 'always' | 'never'
}

const CRC_WORKER_MIN_BYTES = 32 * 1024 * 1024

/** Reads a whole subunit v2 stream (a file path or a byte stream) into results, chunk by chunk. */
export async function readSubunit(
  source: string | Readable | AsyncIterable<Uint8Array>,
  options: CollectorOptions & DecoderOptions & ReadOptions = {},
): Promise<ParsedStream> {
  if (typeof source !== 'string') {
    const { results, decoder } = start(options)
    for await (const chunk of source as AsyncIterable<Uint8Array>) decoder.write(chunk)
    return finish(results, decoder)
  }
  const offload = useCrcWorker(source, options) ? new CrcWorker(source) : undefined
  let parsed: ParsedStream
  try {
    parsed = readFile(source, options, offload)
  } catch (e) {
    await offload?.cancel()
    throw e
  }
  // Decoded on the assumption that every CRC was good: anything else, parse it again checking.
  if (offload && (await offload.finish()) !== 'good') return readFile(source, options, undefined)
  return parsed
}

function useCrcWorker(path: string, options: CollectorOptions & ReadOptions): boolean {
  const mode = options.crcWorker ?? 'auto'
  if (mode === 'never' || !canOffloadCrc || options.onTest) return false
  return mode === 'always' || statSync(path).size >= CRC_WORKER_MIN_BYTES
}

function start(options: CollectorOptions & DecoderOptions, crcOffload?: CrcWorker) {
  const results = new ResultCollector(options)
  // The collector keeps nothing of an event object: one will do for every packet.
  const decoder = new SubunitDecoder(results.handle, { ...options, reuseEvent: true, crcOffload })
  return { results, decoder }
}

function finish(results: ResultCollector, decoder: SubunitDecoder): ParsedStream {
  decoder.end()
  results.end()
  return { results, bytes: decoder.offset, packets: decoder.packets, parseErrors: decoder.parseErrors }
}

function readFile(
  path: string,
  options: CollectorOptions & DecoderOptions,
  crcOffload: CrcWorker | undefined,
): ParsedStream {
  const { results, decoder } = start(options, crcOffload)
  readFileInChunks(path, (chunk) => {
    decoder.write(chunk)
    // The buffer is read into again: open tests must not keep views into it.
    results.detach()
  })
  return finish(results, decoder)
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
  const { results, decoder } = start(options)
  decoder.write(bytes)
  return finish(results, decoder)
}
