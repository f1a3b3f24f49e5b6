import { crc32 } from './crc32.js'
import type { WireStatus } from './wire.js'
import {
  FLAG_EOF,
  FLAG_FILE_CONTENT,
  FLAG_MIME_TYPE,
  FLAG_ROUTE_CODE,
  FLAG_RUNNABLE,
  FLAG_TAGS,
  FLAG_TEST_ID,
  FLAG_TIMESTAMP,
  statusCode,
  VERSION_2,
} from './wire.js'

export interface EncodeEvent {
  testId?: string
  status?: WireStatus
  tags?: Iterable<string>
  /** Defaults to true, as in python-subunit. */
  runnable?: boolean
  fileName?: string
  fileBytes?: Uint8Array | string
  eof?: boolean
  mimeType?: string
  routeCode?: string
  /** A Date, or microseconds since the epoch. */
  timestamp?: Date | number
}

const enc = new TextEncoder()

/** Encodes a varint exactly as python-subunit's _encode_number does. */
export function encodeVarint(value: number): Uint8Array {
  if (value < 0 || value > 0x3fffffff || !Number.isInteger(value))
    throw new RangeError(`subunit number out of range: ${value}`)
  if (value < 0x40) return Uint8Array.of(value)
  if (value < 0x4000) return Uint8Array.of(0x40 | (value >> 8), value & 0xff)
  if (value < 0x400000) return Uint8Array.of(0x80 | (value >> 16), (value >> 8) & 0xff, value & 0xff)
  return Uint8Array.of(0xc0 | (value >>> 24), (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff)
}

function str(parts: Uint8Array[], s: string): void {
  const b = enc.encode(s)
  parts.push(encodeVarint(b.length), b)
}

/**
 * One subunit v2 packet, byte for byte what python-subunit's StreamResultToBytes writes for the
 * same status() call (field order, length width, CRC). Used by tests and fixtures.
 */
export function encodePacket(e: EncodeEvent): Uint8Array {
  const parts: Uint8Array[] = []
  let flags = VERSION_2
  if (e.timestamp !== undefined) {
    flags |= FLAG_TIMESTAMP
    const micros = typeof e.timestamp === 'number' ? e.timestamp : e.timestamp.getTime() * 1000
    const seconds = Math.floor(micros / 1e6)
    const ts = new Uint8Array(4)
    new DataView(ts.buffer).setUint32(0, seconds)
    parts.push(ts, encodeVarint((micros - seconds * 1e6) * 1000))
  }
  if (e.testId !== undefined) {
    flags |= FLAG_TEST_ID
    str(parts, e.testId)
  }
  const tags = e.tags ? [...e.tags] : []
  if (tags.length) {
    flags |= FLAG_TAGS
    parts.push(encodeVarint(tags.length))
    for (const t of tags) str(parts, t)
  }
  if (e.runnable ?? true) flags |= FLAG_RUNNABLE
  if (e.mimeType) {
    flags |= FLAG_MIME_TYPE
    str(parts, e.mimeType)
  }
  if (e.fileName !== undefined) {
    flags |= FLAG_FILE_CONTENT
    str(parts, e.fileName)
    const bytes =
      typeof e.fileBytes === 'string' ? enc.encode(e.fileBytes) : (e.fileBytes ?? new Uint8Array())
    parts.push(encodeVarint(bytes.length), bytes)
  }
  if (e.eof) flags |= FLAG_EOF
  if (e.routeCode !== undefined) {
    flags |= FLAG_ROUTE_CODE
    str(parts, e.routeCode)
  }
  flags |= statusCode(e.status)
  const bodyLength = parts.reduce((n, p) => n + p.length, 0)
  const base = 1 + 2 + bodyLength + 4
  let lengthWidth: number
  if (base <= 62) lengthWidth = 1
  else if (base <= 16381) lengthWidth = 2
  else if (base <= 4194300) lengthWidth = 3
  else throw new RangeError(`Length too long: ${base}`)
  const length = base + lengthWidth
  const out = new Uint8Array(length)
  out[0] = 0xb3
  out[1] = flags >> 8
  out[2] = flags & 0xff
  let lenBytes: Uint8Array
  if (lengthWidth === 1) lenBytes = Uint8Array.of(length)
  else if (lengthWidth === 2) lenBytes = Uint8Array.of(0x40 | (length >> 8), length & 0xff)
  else lenBytes = Uint8Array.of(0x80 | (length >> 16), (length >> 8) & 0xff, length & 0xff)
  out.set(lenBytes, 3)
  let pos = 3 + lengthWidth
  for (const p of parts) {
    out.set(p, pos)
    pos += p.length
  }
  new DataView(out.buffer).setUint32(pos, crc32(out.subarray(0, pos)))
  return out
}

/** A whole stream: the concatenation of the events' packets. */
export function encodeStream(events: EncodeEvent[]): Uint8Array {
  return Buffer.concat(events.map(encodePacket))
}
