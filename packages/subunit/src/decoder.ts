import type { CrcOffload } from './crc-runs.js'
import { crc32 } from './crc32.js'
import type { EventSink, SubunitEvent } from './event.js'
import { decodePacketString, Utf8Tracker } from './utf8.js'
import { plainText } from './xml.js'
import {
  FLAG_EOF,
  FLAG_FILE_CONTENT,
  FLAG_MIME_TYPE,
  FLAG_ROUTE_CODE,
  FLAG_RUNNABLE,
  FLAG_TAGS,
  FLAG_TEST_ID,
  FLAG_TIMESTAMP,
  SIGNATURE,
  STATUSES,
  type WireStatus,
} from './wire.js'

export interface DecoderOptions {
  /** Name of the file events that carry non-subunit bytes (python-subunit filters use 'stdout'). */
  nonSubunitName?: string
  /** python-subunit flushes non-subunit bytes at 1 MiB; so do we, which also bounds memory. */
  nonSubunitChunk?: number
  /**
   * Hand the sink one event object for every packet, overwritten each time, instead of a new one:
   * for sinks that keep nothing of the event object itself (the ResultCollector). Saves an
   * allocation per packet.
   */
  reuseEvent?: boolean
  /**
   * Checks CRCs elsewhere (CrcRuns): packets it accepts are decoded without an inline check,
   * so the caller must parse again with the check inline unless it reports every packet good.
   */
  crcOffload?: CrcOffload
}

class ParseError extends Error {}

/** How much of a stream a packet claiming length 5 may swallow (python-subunit: all of it). */
const REST_OF_STREAM_LIMIT = 4 * 1024 * 1024

const textEncoder = new TextEncoder()

/**
 * Push decoder for subunit v2 byte streams, equivalent to python-subunit's
 * ByteStreamToStreamResult with a non_subunit_name: same events, same synthetic `subunit.parser`
 * failure (with "Packet data" and "Parser Error" attachments) for a packet with a bad CRC, a bad
 * field or a short read, and the same resynchronisation (after the claimed length). Memory is
 * bounded by the largest packet (< 4 MiB) plus one input chunk.
 */
export class SubunitDecoder {
  private chunks: Uint8Array[] = []
  private avail = 0
  private need = 1
  private ended = false
  private readonly utf8 = new Utf8Tracker()
  private readonly reader = new FieldReader()
  private readonly nonSubunitName: string
  private readonly nonSubunitChunk: number
  private readonly scratch: ReusableEvent | undefined
  private readonly offload: CrcOffload | undefined
  /** Stream offset of the buffer `process` is working on. */
  private base = 0
  /** Bytes consumed so far: where the next packet starts, for error messages and tests. */
  offset = 0
  packets = 0
  parseErrors = 0

  constructor(
    private readonly sink: EventSink,
    options: DecoderOptions = {},
  ) {
    this.nonSubunitName = options.nonSubunitName ?? 'stdout'
    this.nonSubunitChunk = options.nonSubunitChunk ?? 1048576
    this.offload = options.crcOffload
    this.scratch = options.reuseEvent ? new ReusableEvent() : undefined
  }

  /**
   * Feeds bytes. The decoder keeps no view into `chunk` once write returns (it copies the bytes of
   * an incomplete packet), but the collector keeps views into it while a test runs: do not modify
   * a chunk after writing it unless the collector was detached from it (ResultCollector.detach).
   */
  write(chunk: Uint8Array): void {
    if (this.ended) throw new Error('SubunitDecoder: write after end')
    if (chunk.length === 0) return
    // Plain Uint8Array views: Buffer#subarray is markedly slower on this hot path.
    let rest = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)
    // Complete a packet (or header) left over from earlier chunks by copying only its bytes, then
    // decode the rest of the chunk where it lies.
    while (this.avail > 0 && rest.length > 0) {
      const take = Math.min(rest.length, Math.max(this.need - this.avail, 0))
      if (this.avail + rest.length < this.need) {
        this.chunks.push(rest.slice())
        this.avail += rest.length
        return
      }
      const assembled = concat([...this.chunks, rest.subarray(0, take)], this.avail + take)
      rest = rest.subarray(take)
      this.chunks = []
      this.avail = 0
      this.consume(assembled, true)
    }
    if (rest.length > 0) this.consume(rest, false)
  }

  /** Decodes what it can of buf and keeps the rest: a view if buf is the decoder's own, else a copy. */
  private consume(buf: Uint8Array, own: boolean): void {
    this.base = this.offset
    const used = this.process(buf)
    this.offset += used
    if (used < buf.length) {
      this.chunks = [own ? buf.subarray(used) : buf.slice(used)]
      this.avail = buf.length - used
    }
  }

  end(): void {
    this.ended = true
    if (this.avail === 0) return
    const buf = concat(this.chunks, this.avail)
    this.chunks = []
    this.avail = 0
    this.base = this.offset
    this.offset += this.process(buf)
  }

  /** Consumes what it can from buf; returns the number of bytes used and sets `need`. */
  private process(buf: Uint8Array): number {
    let pos = 0
    const n = buf.length
    while (pos < n) {
      const b = buf[pos]!
      if (!this.utf8.midCharacter && b === SIGNATURE) {
        const used = this.packet(buf, pos)
        if (used === 0) return pos
        pos += used
        continue
      }
      // A run of non-subunit bytes: up to the next 0xB3 that is not inside a UTF-8 character.
      const start = pos
      this.utf8.feed(b)
      pos++
      let limitHit = false
      while (pos < n) {
        const c = buf[pos]!
        if (!this.utf8.midCharacter && c === SIGNATURE) break
        this.utf8.feed(c)
        pos++
        if (pos - start >= this.nonSubunitChunk) {
          limitHit = true
          break
        }
      }
      this.sink({
        fileName: this.nonSubunitName,
        fileBytes: buf.subarray(start, pos),
        runnable: true,
        eof: false,
      })
      // python-subunit parses a packet straight after a full 1 MiB buffer whose last byte is a
      // signature outside a character, even though that byte was also emitted as content.
      if (limitHit && !this.utf8.midCharacter && buf[pos - 1] === SIGNATURE) {
        const used = this.packet(buf, pos - 1)
        if (used === 0) return pos - 1
        pos += used - 1
      }
    }
    this.need = 1
    return pos
  }

  /** Parses the packet starting at `start`; returns bytes used, or 0 when more input is needed. */
  private packet(buf: Uint8Array, start: number): number {
    const avail = buf.length - start
    if (avail < 6) {
      if (!this.ended) return this.wait(6)
      this.fail(buf.subarray(start, start + 1), `Short read - got ${avail - 1} bytes, wanted 5 bytes`)
      return avail
    }
    const flags = (buf[start + 1]! << 8) | buf[start + 2]!
    const l0 = buf[start + 3]!
    let length: number
    let lenBytes: number
    switch (l0 & 0xc0) {
      case 0x00:
        length = l0 & 0x3f
        lenBytes = 1
        break
      case 0x40:
        length = ((l0 & 0x3f) << 8) | buf[start + 4]!
        lenBytes = 2
        break
      case 0x80:
        length = ((l0 & 0x3f) << 16) | (buf[start + 4]! << 8) | buf[start + 5]!
        lenBytes = 3
        break
      default:
        this.fail(buf.subarray(start, start + 6), '3 byte maximum given but 4 byte value found.')
        return 6
    }
    if (length === 5 && avail <= REST_OF_STREAM_LIMIT) {
      // python-subunit then calls read(-1): the packet is the rest of the stream.
      // Ask for everything up to the limit at once, not a byte at a time.
      if (!this.ended) return this.wait(REST_OF_STREAM_LIMIT + 1)
      length = avail
    } else if (length < 6) {
      // Below 5, python-subunit passes read() a negative size and crashes; past the limit we will
      // not hold the rest of the stream in memory. Report the packet, resume after its header.
      this.fail(buf.subarray(start, start + 6), `Packet length ${length} is shorter than its header`)
      return 6
    }
    if (avail < length) {
      if (!this.ended) return this.wait(length)
      this.fail(
        buf.subarray(start, start + 6),
        `Short read - got ${avail - 6} bytes, wanted ${length - 6} bytes`,
      )
      return avail
    }
    // Checked and decoded where it lies, by offsets: no view per packet unless it is reported.
    const end = start + length
    this.packets++
    if (this.offload === undefined || !this.offload.push(this.base + start, length)) {
      const stored =
        ((buf[end - 4]! << 24) | (buf[end - 3]! << 16) | (buf[end - 2]! << 8) | buf[end - 1]!) >>> 0
      const calculated = crc32(buf.subarray(start, end - 4))
      if (calculated !== stored) {
        this.fail(
          buf.subarray(start, end),
          `Bad checksum - calculated (0x${calculated.toString(16)}), stored (0x${stored.toString(16)})`,
        )
        return length
      }
    }
    try {
      this.fields(buf, start, end, flags, lenBytes)
    } catch (e) {
      if (!(e instanceof ParseError)) throw e
      this.fail(buf.subarray(start, end), e.message)
    }
    return length
  }

  /** Asks for `bytes` bytes from the packet start before trying again. */
  private wait(bytes: number): number {
    this.need = bytes
    return 0
  }

  /** Decodes the fields of the packet at buf[start, end). */
  private fields(packet: Uint8Array, start: number, end: number, flags: number, lenBytes: number): void {
    // Offsets in python-subunit's messages are relative to its body buffer, which starts at the
    // flags for 1- and 2-byte lengths and after the 5 header bytes for 3-byte lengths.
    const base = start + (lenBytes === 3 ? 6 : 1)
    const r = this.reader
    if (r.body !== packet) {
      r.body = packet
      r.view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength)
    }
    r.base = base
    r.end = end - 4
    r.pos = base + (lenBytes === 3 ? 0 : 2 + lenBytes)
    let timestamp: number | undefined
    if (flags & FLAG_TIMESTAMP) {
      const at = r.pos
      if (at + 4 > r.end) throw new ParseError(`Timestamp at offset ${at - base} extends past end of packet`)
      const seconds =
        ((packet[at]! << 24) | (packet[at + 1]! << 16) | (packet[at + 2]! << 8) | packet[at + 3]!) >>> 0
      r.pos += 4
      const nanos = r.varint()
      // timedelta(microseconds=ns/1000) rounds half to even.
      timestamp = seconds * 1e6 + roundHalfEven(nanos / 1000)
    }
    const testId = flags & FLAG_TEST_ID ? r.testId() : undefined
    const testIdPlain = testId !== undefined && r.lastIdPlain
    const tags = flags & FLAG_TAGS ? r.cached(r.recentTags, r.readTags) : undefined
    const mimeType = flags & FLAG_MIME_TYPE ? r.cached(r.recentMimeTypes, r.readString) : undefined
    let fileName: string | undefined
    let fileStart = 0
    let fileEnd = 0
    if (flags & FLAG_FILE_CONTENT) {
      fileName = r.cached(r.recentFileNames, r.readString)
      const len = r.varint()
      const available = Math.max(0, Math.min(len, r.end - r.pos))
      if (available !== len)
        throw new ParseError(
          `File content extends past end of packet: claimed ${len} bytes, ${available} available`,
        )
      fileStart = r.pos
      fileEnd = r.pos + len
      r.pos += len
    }
    const routeCode = flags & FLAG_ROUTE_CODE ? r.cached(r.recentRouteCodes, r.readString) : undefined
    const e = this.scratch
    if (e === undefined) {
      this.sink({
        testId,
        testIdPlain,
        status: STATUSES[flags & 0x7],
        tags,
        runnable: (flags & FLAG_RUNNABLE) !== 0,
        mimeType,
        eof: (flags & FLAG_EOF) !== 0,
        fileName,
        fileBytes: fileName === undefined ? undefined : packet.subarray(fileStart, fileEnd),
        routeCode,
        timestamp,
      })
      return
    }
    e.testId = testId
    e.testIdPlain = testIdPlain
    e.status = STATUSES[flags & 0x7]
    e.tags = tags
    e.runnable = (flags & FLAG_RUNNABLE) !== 0
    e.mimeType = mimeType
    e.eof = (flags & FLAG_EOF) !== 0
    e.fileName = fileName
    e.fileBuffer = fileName === undefined ? undefined : packet
    e.fileStart = fileStart
    e.fileEnd = fileEnd
    e.routeCode = routeCode
    e.timestamp = timestamp
    this.sink(e)
  }

  private fail(packetData: Uint8Array, message: string): void {
    this.parseErrors++
    this.sink({
      testId: 'subunit.parser',
      eof: true,
      runnable: true,
      fileName: 'Packet data',
      fileBytes: packetData,
      mimeType: 'application/octet-stream',
    })
    this.sink({
      testId: 'subunit.parser',
      status: 'fail',
      eof: true,
      runnable: true,
      fileName: 'Parser Error',
      fileBytes: textEncoder.encode(message),
      mimeType: 'text/plain;charset=utf8',
    })
  }
}

/**
 * The one event object of `reuseEvent`: its fileBytes is made from fileBuffer only when a sink
 * reads it. A class, not a literal given an accessor: V8 then compiles the decoder's stores and the
 * sink's loads as plain field accesses (with the literal every one went through a generic IC).
 */
class ReusableEvent implements SubunitEvent {
  testId: string | undefined = undefined
  testIdPlain = false
  status: WireStatus | undefined = undefined
  tags: string[] | undefined = undefined
  runnable = false
  mimeType: string | undefined = undefined
  eof = false
  fileName: string | undefined = undefined
  fileBuffer: Uint8Array | undefined = undefined
  fileStart = 0
  fileEnd = 0
  routeCode: string | undefined = undefined
  timestamp: number | undefined = undefined

  get fileBytes(): Uint8Array | undefined {
    return this.fileBuffer?.subarray(this.fileStart, this.fileEnd)
  }
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x)
  const d = x - f
  if (d > 0.5) return f + 1
  if (d < 0.5) return f
  return f % 2 === 0 ? f : f + 1
}

// Node's native ISO-8859-1 slice (one char per byte, no copy, no wrapper object): plain ASCII
// comes out as is; anything else (and NUL) is re-checked byte by byte as python-subunit would.
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (start: number, end: number) => string })
  .latin1Slice
// eslint-disable-next-line no-control-regex -- NUL is one of the bytes to catch
const NOT_PLAIN_ASCII = /[^\x01-\x7f]/

/** Reads the fields of one packet. */
class FieldReader {
  body: Uint8Array = new Uint8Array()
  /** The same bytes as `body`, for comparing four at a time. */
  view: DataView = new DataView(new ArrayBuffer(0))
  base = 0
  end = 0
  pos = 0

  varint(): number {
    const b = this.body
    const at = this.pos
    if (at >= this.end) throw new ParseError(`Number at offset ${at - this.base} extends past end of packet`)
    const b0 = b[at]!
    const size = (b0 >> 6) + 1
    if (at + size > this.end)
      throw new ParseError(`Number at offset ${at - this.base} extends past end of packet`)
    let v = b0 & 0x3f
    for (let i = 1; i < size; i++) v = v * 256 + b[at + i]!
    this.pos = at + size
    return v
  }

  /** Whether the last string read was plainText. */
  private plain = false
  /** Whether the last test id read was plainText. */
  lastIdPlain = false
  /** The last test id read and its bytes (a copy): most packets repeat the previous packet's id. */
  private lastId = ''
  private lastIdBytes = new Uint8Array(256)
  private lastIdView: DataView = new DataView(this.lastIdBytes.buffer)
  private lastIdLength = -1

  /** string(), answering from the last test id when the bytes are the same. */
  testId(): string {
    const b = this.body
    const at = this.pos
    if (at < this.end) {
      const size = (b[at]! >> 6) + 1
      const start = at + size
      if (start <= this.end) {
        let length = b[at]! & 0x3f
        for (let i = 1; i < size; i++) length = length * 256 + b[at + i]!
        const stop = start + length
        if (length === this.lastIdLength && stop <= this.end) {
          // Four bytes at a time from the end (ids of one run share their start), then the rest.
          const view = this.view
          const last = this.lastIdView
          let i = length - 4
          while (i >= 0 && view.getInt32(start + i) === last.getInt32(i)) i -= 4
          if (i < 0) {
            i += 3
            while (i >= 0 && b[start + i] === this.lastIdBytes[i]) i--
            if (i < 0) {
              this.pos = stop
              return this.lastId
            }
          }
        }
      }
    }
    const id = this.string()
    const length = this.pos - (at + (b[at]! >> 6) + 1)
    if (this.lastIdBytes.length < length) {
      this.lastIdBytes = new Uint8Array(length * 2)
      this.lastIdView = new DataView(this.lastIdBytes.buffer)
    }
    // Copied four bytes at a time: a subarray to set() from cost an object per new test.
    const from = this.pos - length
    const view = this.view
    const last = this.lastIdView
    let i = 0
    for (; i + 4 <= length; i += 4) last.setInt32(i, view.getInt32(from + i))
    for (; i < length; i++) this.lastIdBytes[i] = b[from + i]!
    this.lastIdLength = length
    this.lastId = id
    this.lastIdPlain = this.plain
    return id
  }

  readonly recentTags = new RecentFields<string[]>()
  readonly recentMimeTypes = new RecentFields<string>()
  readonly recentFileNames = new RecentFields<string>()
  readonly recentRouteCodes = new RecentFields<string>()

  /**
   * A field's value, answered from `recent` when the bytes at pos start with the bytes that gave
   * it before (a field's encoding delimits itself, so equal bytes decode to the same value).
   * A stream repeats a handful of tag sets, MIME types, file names and route codes: this saves
   * a string (and an array for tags) on almost every packet.
   */
  cached<T>(recent: RecentFields<T>, read: () => T): T {
    const from = this.pos
    const hit = recent.find(this.body, from, this.end)
    if (hit !== undefined) {
      this.pos = from + hit.bytes.length
      return hit.value
    }
    const value = read()
    recent.remember(this.body, from, this.pos, value)
    return value
  }

  readonly readString = (): string => this.string()

  /** A tags field: count, then the tags (a set: repeats dropped, first order kept). */
  readonly readTags = (): string[] => {
    const count = this.varint()
    const tags: string[] = []
    for (let i = 0; i < count; i++) {
      const tag = this.string()
      if (!tags.includes(tag)) tags.push(tag)
    }
    return tags
  }

  string(): string {
    const length = this.varint()
    const b = this.body
    const start = this.pos
    const offset = start - this.base - 2
    const available = Math.max(0, Math.min(length, this.end - start))
    if (available !== length)
      throw new ParseError(
        `UTF8 string at offset ${offset} extends past end of packet: claimed ${length} bytes, ${available} available`,
      )
    const stop = start + length
    this.pos = stop
    // Native decode and scan: a JavaScript loop over every byte of every id was the decoder's
    // largest cost. Only a string with NUL or non-ASCII bytes takes the careful path.
    const fast = latin1Slice.call(b, start, stop)
    // The usual test id is plain text: its renderers then need not check it again for markup.
    if ((this.plain = plainText(fast))) return fast
    if (!NOT_PLAIN_ASCII.test(fast)) return fast
    const bytes = b.subarray(start, stop)
    if (bytes.includes(0)) throw new ParseError(`UTF8 string at offset ${offset} contains NUL byte`)
    const s = decodePacketString(bytes)
    if (s === 'invalid') throw new ParseError(`UTF8 string at offset ${offset} is not UTF8`)
    if (typeof s !== 'string')
      throw new ParseError(
        `Invalid (partially decodable) string at offset ${offset}, ${s.undecoded} undecoded bytes`,
      )
    return s
  }
}

/** The last few values of one kind of field with the bytes they were decoded from. */
class RecentFields<T> {
  private readonly entries: { bytes: Uint8Array; value: T }[] = []
  private next = 0

  find(body: Uint8Array, at: number, end: number): { bytes: Uint8Array; value: T } | undefined {
    // Plain loops: these fields are a few dozen bytes, where a native call costs more than it saves.
    entries: for (const e of this.entries) {
      const bytes = e.bytes
      const n = bytes.length
      if (at + n > end) continue
      for (let i = 0; i < n; i++) if (body[at + i] !== bytes[i]) continue entries
      return e
    }
    return undefined
  }

  remember(body: Uint8Array, from: number, to: number, value: T): void {
    // Long fields are rarely repeated and would make every lookup slower.
    if (to - from > 256) return
    const entry = { bytes: body.slice(from, to), value }
    if (this.entries.length < 8) this.entries.push(entry)
    else this.entries[this.next++ % 8] = entry
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1 && parts[0]!.length === length) return parts[0]!
  const out = new Uint8Array(length)
  let pos = 0
  for (const p of parts) {
    out.set(p, pos)
    pos += p.length
  }
  return out
}
