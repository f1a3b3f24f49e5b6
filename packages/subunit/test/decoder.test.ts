import { describe, expect, it } from 'vitest'
import {
  crc32,
  encodePacket,
  encodeStream,
  encodeVarint,
  parseSubunit,
  SubunitDecoder,
  type SubunitEvent,
} from '../src/index.js'
import { ourEvents, pythonEvents, pythonEventsMany } from './support/events.js'
import { pythonStream } from './support/reference.js'

function decode(bytes: Uint8Array): SubunitEvent[] {
  const events: SubunitEvent[] = []
  const d = new SubunitDecoder((e) => events.push({ ...e, fileBytes: e.fileBytes?.slice() }))
  d.write(bytes)
  d.end()
  return events
}

/** A deterministic generator, so a failing case can be replayed from its seed. */
function lcg(seed: number): () => number {
  let s = seed
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff
    return s / 0x7fffffff
  }
}

describe('subunit v2 wire format', () => {
  it('decodes the README enumeration packet for test "foo"', () => {
    const bytes = Buffer.from('b329010c03666f6f08555f1b', 'hex')
    expect(decode(bytes)).toEqual([
      {
        testId: 'foo',
        testIdPlain: true,
        status: 'exists',
        runnable: true,
        eof: false,
        tags: undefined,
        mimeType: undefined,
        fileName: undefined,
        fileBytes: undefined,
        routeCode: undefined,
        timestamp: undefined,
      },
    ])
  })

  it('marks a test id that is plain text, and only such an id, for the renderers', () => {
    // Repeats too: a repeated id is answered from the decoder's last id, with that id's mark.
    const ids = ['tempest.T.test_a[id-1,smoke]', 'a&b', 'a&b', 'x<y', 'y>x', 'q"r', 'näme', 'tab\there']
    const plain = (id: string) => /^[ -~]*$/.test(id) && !/[&<>"]/.test(id)
    for (const order of [ids, [...ids].reverse()]) {
      const events = decode(encodeStream(order.map((testId) => ({ testId, status: 'success' as const }))))
      expect(events.map((e) => [e.testId, e.testIdPlain])).toEqual(order.map((id) => [id, plain(id)]))
      const stream = encodeStream(
        order.flatMap((testId) => [
          { testId, status: 'inprogress' as const },
          { testId, status: 'success' as const },
        ]),
      )
      const { results } = parseSubunit(stream)
      expect(results.tests.map((t) => [t.id, t.plainId])).toEqual(order.map((id) => [id, plain(id)]))
    }
    expect(decode(encodeStream([{ fileName: 'stdout', fileBytes: 'x' }]))[0]!.testIdPlain).toBe(false)
  })

  it('decodes timestamp, tags and status of a success packet and re-encodes it byte for byte', () => {
    const hex = 'b32b831e65937d25e877350803666f6f0108776f726b65722d307f9e9c0c'
    const [e] = decode(Buffer.from(hex, 'hex'))
    expect(e).toMatchObject({
      testId: 'foo',
      status: 'success',
      tags: ['worker-0'],
      timestamp: 0x65937d25 * 1e6 + 678901,
    })
    expect(Buffer.from(encodePacket({ ...e!, fileBytes: undefined })).toString('hex')).toBe(hex)
  })

  it('encodes variable-length numbers at every width boundary like python-subunit', () => {
    expect(
      [63, 64, 16383, 16384, 4194303, 4194304, 0x3fffffff].map((n) =>
        Buffer.from(encodeVarint(n)).toString('hex'),
      ),
    ).toEqual(['3f', '4040', '7fff', '804000', 'bfffff', 'c0400000', 'ffffffff'])
    expect(() => encodeVarint(0x40000000)).toThrow(/out of range/)
  })

  it('gives the same events as python-subunit for a stream python-subunit wrote, in any chunking', () => {
    const stream = pythonStream('random', '21', '80')
    const reference = pythonEvents(stream)
    expect(reference.length).toBeGreaterThan(200)
    for (const chunk of [1, 7, 64, 4096, stream.length]) expect(ourEvents(stream, chunk)).toEqual(reference)
  })

  it('reads every field our encoder writes, including route codes, MIME types and EOF', () => {
    const packets = [
      {
        testId: 'a.B.test_c',
        status: 'inprogress' as const,
        routeCode: '0/3',
        timestamp: 1700000000123456,
        tags: ['worker-2', 'x'],
      },
      {
        testId: 'a.B.test_c',
        fileName: 'traceback',
        fileBytes: 'Traceback\nError',
        mimeType: 'text/x-traceback;charset=utf8',
        eof: true,
        routeCode: '0/3',
      },
      { testId: 'a.B.test_c', status: 'fail' as const, routeCode: '0/3', runnable: false },
      { fileName: 'big', fileBytes: new Uint8Array(100_000).fill(65) },
    ]
    const stream = Buffer.concat(packets.map(encodePacket))
    expect(ourEvents(stream)).toEqual(pythonEvents(stream))
    expect(ourEvents(stream, 3)).toEqual(pythonEvents(stream))
  })
})

describe('bad input, as python-subunit handles it', () => {
  const good = pythonStream('random', '5', '40')

  it('turns a bad CRC into a failing subunit.parser test and goes on with the next packet', () => {
    const bad = Buffer.from(encodePacket({ testId: 'x.Y.test_z', status: 'success' }))
    bad[bad.length - 1]! ^= 0xff
    const stream = Buffer.concat([bad, encodePacket({ testId: 'x.Y.test_ok', status: 'success' })])
    const events = decode(stream)
    expect(events.map((e) => [e.testId, e.status, e.fileName])).toEqual([
      ['subunit.parser', undefined, 'Packet data'],
      ['subunit.parser', 'fail', 'Parser Error'],
      ['x.Y.test_ok', 'success', undefined],
    ])
    expect(Buffer.from(events[1]!.fileBytes!).toString()).toMatch(
      /^Bad checksum - calculated \(0x[0-9a-f]+\), stored \(0x[0-9a-f]+\)$/,
    )
    expect(ourEvents(stream)).toEqual(pythonEvents(stream))
    const { results } = parseSubunit(stream)
    expect(results.tests.map((t) => [t.id, t.outcome])).toEqual([
      ['subunit.parser', 'failed'],
      ['x.Y.test_ok', 'passed'],
    ])
  })

  it('reports a short read at the end of the stream', () => {
    const packets = Buffer.concat(
      [1, 2, 3].map((i) => encodePacket({ testId: `t.T.test_${i}`, status: 'success' })),
    )
    const cut = packets.subarray(0, packets.length - 3)
    const events = decode(cut)
    const last = events[events.length - 1]!
    expect(last.testId).toBe('subunit.parser')
    expect(Buffer.from(last.fileBytes!).toString()).toMatch(/^Short read - got \d+ bytes, wanted \d+ bytes$/)
    expect(ourEvents(cut)).toEqual(pythonEvents(cut))
  })

  it('keeps non-subunit bytes as stdout content, respecting UTF-8 characters that contain 0xB3', () => {
    // U+2033 is e2 80 b3: its last byte is the signature but must not start a packet.
    const text = Buffer.from('log line ″ still text\n')
    const stream = Buffer.concat([
      text,
      encodePacket({ testId: 't.T.test', status: 'success' }),
      Buffer.from('tail'),
    ])
    const events = decode(stream)
    expect(events.map((e) => e.fileName ?? e.testId)).toEqual(['stdout', 't.T.test', 'stdout'])
    expect(Buffer.from(events[0]!.fileBytes!).toString()).toBe(text.toString())
    expect(ourEvents(stream)).toEqual(pythonEvents(stream))
  })

  it('lets ASCII after a broken UTF-8 lead keep the lead pending, as python-subunit does', () => {
    // e2 is left pending by the error at 'x'; 80 extends it, so the 0xB3 that follows ends a
    // character instead of starting a packet. ASCII takes Utf8Tracker's fast path here.
    const packet = encodePacket({ testId: 't.T.test', status: 'success' })
    const stream = Buffer.concat([Buffer.from([0xe2, 0x78, 0x80]), packet])
    expect(decode(stream)[0]!.fileBytes!.slice(0, 4)).toEqual(new Uint8Array([0xe2, 0x78, 0x80, 0xb3]))
    expect(ourEvents(stream)).toEqual(pythonEvents(stream))
  })

  it('matches python-subunit on 300 corrupted, truncated, spliced and noisy streams', () => {
    const rnd = lcg(42)
    const pick = (n: number) => Math.floor(rnd() * n)
    const noise = () => {
      const parts = [0xb3, 0xe2, 0x80, 0xed, 0xa0, 0xf0, 0x90, 0xc3, 0xa9, 0x41, 0x0a, 0xff, 0x00]
      return Buffer.from(Array.from({ length: 1 + pick(12) }, () => parts[pick(parts.length)]!))
    }
    const cases: { stream: Buffer; chunk: number }[] = []
    for (let k = 0; k < 300; k++) {
      let s = Buffer.from(good)
      switch (k % 5) {
        case 0:
          for (let j = 0; j < 1 + pick(4); j++) s[pick(s.length)] = pick(256)
          break
        case 1:
          s = s.subarray(0, pick(s.length))
          break
        case 2: {
          const p = pick(s.length)
          s = Buffer.concat([s.subarray(0, p), noise(), s.subarray(p)])
          break
        }
        case 3: {
          const p = pick(s.length)
          s = Buffer.concat([s.subarray(0, p), s.subarray(p + 1 + pick(40))])
          break
        }
        default:
          s = Buffer.concat([noise(), noise(), s.subarray(pick(200)), noise()])
      }
      cases.push({ stream: s, chunk: 1 + pick(300) })
    }
    const references = pythonEventsMany(cases.map((c) => c.stream))
    const mismatches: number[] = []
    const pythonCrashed: number[] = []
    cases.forEach(({ stream, chunk }, k) => {
      const ours = ourEvents(stream, chunk)
      const reference = references[k]
      if (!reference) {
        // A corrupted length below 5: python-subunit raises ValueError from read(); we report it.
        pythonCrashed.push(k)
        if (!ours.some((e) => e.testId === 'subunit.parser')) mismatches.push(k)
      } else if (JSON.stringify(ours) !== JSON.stringify(reference)) mismatches.push(k)
    })
    expect(mismatches).toEqual([])
    expect(pythonCrashed.length).toBeLessThan(30)
  }, 60_000)

  it('rejects a 4-byte packet length like python-subunit and resumes after the header', () => {
    const stream = Buffer.concat([
      Buffer.from('b32901c0000000', 'hex'),
      encodePacket({ testId: 'ok', status: 'success' }),
    ])
    const events = decode(stream)
    expect(Buffer.from(events[1]!.fileBytes!).toString()).toBe('3 byte maximum given but 4 byte value found.')
    expect(ourEvents(stream)).toEqual(pythonEvents(stream))
  })

  it('keeps a byte order mark at the start of a string, as codecs.utf_8_decode does', () => {
    const stream = encodePacket({ testId: '\ufeffsample.T.test', status: 'success' })
    expect(decode(stream)[0]!.testId).toBe('\ufeffsample.T.test')
    expect(ourEvents(stream)).toEqual(pythonEvents(stream))
  })

  it("reports strings with NUL bytes and invalid UTF-8 with python-subunit's messages", () => {
    for (const id of [
      Buffer.from('a\0b'),
      Buffer.from([0x61, 0xff, 0x62]),
      Buffer.from([0x61, 0xe2, 0x82]),
    ]) {
      // Build the packet by hand: our encoder only writes valid strings.
      const body = Buffer.concat([Buffer.from([id.length]), id])
      const len = 1 + 2 + 1 + body.length + 4
      const head = Buffer.concat([Buffer.from([0xb3, 0x29, 0x03, len]), body])
      const crc = Buffer.alloc(4)
      crc.writeUInt32BE(crc32(head))
      const stream = Buffer.concat([head, crc])
      expect(ourEvents(stream)).toEqual(pythonEvents(stream))
      expect(decode(stream)[1]!.testId).toBe('subunit.parser')
    }
  })
})

describe('test ids that repeat', () => {
  it('tells apart ids of the same length that differ in any one byte, at any length', () => {
    // The decoder answers a repeated id from the last one after comparing the bytes four at a
    // time from the end, then the first length % 4: a difference anywhere must be seen.
    const ids: string[] = []
    for (let length = 1; length <= 11; length++) {
      const base = 'abcdefghijk'.slice(0, length)
      ids.push(base, base)
      for (let i = 0; i < length; i++) ids.push(base.slice(0, i) + 'Z' + base.slice(i + 1), base)
    }
    ids.push('é.test', 'é.test', 'è.test')
    const stream = Buffer.concat(ids.map((testId) => encodePacket({ testId, status: 'inprogress' })))
    expect(decode(stream).map((e) => e.testId)).toEqual(ids)
    // In small pieces too: packets then come in buffers of their own, one after another.
    const seen: (string | undefined)[] = []
    const d = new SubunitDecoder((e) => seen.push(e.testId), { reuseEvent: true })
    for (let i = 0; i < stream.length; i += 7) d.write(stream.subarray(i, i + 7))
    d.end()
    expect(seen).toEqual(ids)
  })
})
