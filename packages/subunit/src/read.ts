import { closeSync, openSync, readSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { CrcRuns } from './crc-runs.js'
import { SubunitDecoder, type DecoderOptions } from './decoder.js'
import { ResultCollector, type CollectorOptions, type TestResult } from './results.js'

export interface ParsedStream {
  results: ResultCollector
  bytes: number
  packets: number
  parseErrors: number
}

export interface ReadOptions {
  /**
   * How a file's packet CRCs are checked. 'runs' (the default): each chunk's packets are decoded
   * first and their CRCs checked afterwards, a run of adjacent packets in one call (CrcRuns); if any
   * is bad the file is parsed again with 'inline', so the results are always python-subunit's.
   * 'inline': each packet is checked before it is decoded.
   * Either way `onTest` sees each test once: with 'runs', a chunk's finished tests reach it after
   * the chunk's CRCs have checked good, and a parse again skips the tests it has already seen.
   */
  crc?: 'runs' | 'inline'
}

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
  if (options.crc === 'inline') return readFile(source, options, undefined)
  const runs = new CrcRuns()
  const onTest = options.onTest
  if (onTest === undefined) {
    const parsed = readFile(source, options, runs)
    // Decoded on the assumption that every CRC was good: anything else, parse it again checking.
    return runs.good ? parsed : readFile(source, options, undefined)
  }
  const held: TestResult[] = []
  let delivered = 0
  const deliver = () => {
    for (const t of held) onTest(t)
    delivered += held.length
    held.length = 0
  }
  const parsed = readFile(source, { ...options, onTest: (t) => held.push(t) }, runs, deliver)
  if (runs.good) {
    deliver()
    return parsed
  }
  // The tests delivered came before the bad packet, so the inline parse finds them first again.
  let seen = 0
  const skipDelivered = (t: TestResult) => {
    if (seen++ >= delivered) onTest(t)
  }
  return readFile(source, { ...options, onTest: skipDelivered }, undefined)
}

function start(options: CollectorOptions & DecoderOptions, crcOffload?: CrcRuns) {
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

/** `checked` runs after each chunk whose CRCs `runs` found good. */
function readFile(
  path: string,
  options: CollectorOptions & DecoderOptions,
  runs: CrcRuns | undefined,
  checked?: () => void,
): ParsedStream {
  const { results, decoder } = start(options, runs)
  readFileInChunks(path, (chunk, base) => {
    runs?.begin(chunk, base)
    decoder.write(chunk)
    // The buffer is read into again: open tests must not keep views into it.
    results.detach()
    if (runs === undefined) return true
    // A bad CRC: this parse is thrown away, so stop reading.
    if (!runs.check()) return false
    checked?.()
    return true
  })
  return finish(results, decoder)
}

const READ_CHUNK = 1024 * 1024

/**
 * Reads a file synchronously into one 1 MiB buffer, over and over, until `onChunk` answers false:
 * `onChunk` must keep no view into a chunk once it returns. A stream file is local and read once;
 * on a busy runner each asynchronous read costs a trip through the thread pool, which made half of
 * a 100 MB parse idle time. One buffer, not a fresh one per chunk: fresh memory costs page faults
 * and garbage collection (64 KiB chunks were 15% of a 100 MB parse).
 */
function readFileInChunks(path: string, onChunk: (chunk: Uint8Array, offset: number) => boolean): void {
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.allocUnsafeSlow(READ_CHUNK)
    for (let offset = 0; ;) {
      const n = readSync(fd, buf, 0, buf.length, null)
      if (n === 0 || !onChunk(buf.subarray(0, n), offset)) break
      offset += n
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
