import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  CrcRuns,
  encodeStream,
  parseSubunit,
  readSubunit,
  renderJUnit,
  SubunitDecoder,
  type EncodeEvent,
} from '../src/index.js'

const T0 = Date.UTC(2026, 10, 21, 12) * 1000

/** 300 tests with logs, some failing, some skipped: about 1,000 packets. */
function stream(): Buffer {
  const events: EncodeEvent[] = []
  for (let i = 0; i < 300; i++) {
    const id = `tempest.api.compute.test_x.ServersTest.test_${i}[id-${i}]`
    const status = i % 17 === 0 ? 'fail' : i % 11 === 0 ? 'skip' : 'success'
    events.push({ testId: id, status: 'inprogress', tags: [`worker-${i % 3}`], timestamp: T0 + i * 1e6 })
    events.push({ testId: id, fileName: 'pythonlogging', fileBytes: `log line ${i}\n`.repeat(i % 40) })
    if (status === 'fail') events.push({ testId: id, fileName: 'traceback', fileBytes: `boom ${i}` })
    events.push({ testId: id, status, tags: [`worker-${i % 3}`], timestamp: T0 + (i + 0.5) * 1e6 })
  }
  return Buffer.from(encodeStream(events))
}

/** Several copies of stream(), with non-subunit bytes between some of them. */
const big = (() => {
  const parts: Uint8Array[] = []
  for (let i = 0; i < 8; i++) {
    parts.push(stream())
    if (i % 3 === 2) parts.push(Buffer.from(`junk between packets ${i}\n`))
  }
  return Buffer.concat(parts)
})()

/** Every packet's offset and length, as the decoder frames them. */
function extents(bytes: Uint8Array): [number, number][] {
  const seen: [number, number][] = []
  const decoder = new SubunitDecoder(() => {}, {
    crcOffload: { push: (offset, length) => (seen.push([offset, length]), false) },
  })
  decoder.write(bytes)
  decoder.end()
  return seen
}

/** What readSubunit does with a file, on bytes in memory cut into `size`-byte chunks. */
function checkInChunks(bytes: Uint8Array, size: number): { good: boolean; checked: number } {
  const runs = new CrcRuns()
  let checked = 0
  const decoder = new SubunitDecoder(() => {}, {
    crcOffload: { push: (o, l) => runs.push(o, l) && ++checked > 0 },
  })
  for (let at = 0; at < bytes.length; at += size) {
    // A copy, as a read into a reused buffer is: CrcRuns changes the chunk it checks.
    const chunk = Buffer.from(bytes.subarray(at, at + size))
    runs.begin(chunk, at)
    decoder.write(chunk)
    runs.check()
  }
  decoder.end()
  return { good: runs.good, checked }
}

function file(bytes: Uint8Array): string {
  const path = join(mkdtempSync(join(tmpdir(), 'crc-runs-')), 'stream.subunit')
  writeFileSync(path, bytes)
  return path
}

describe('CrcRuns: one CRC-32 call per run of adjacent packets', () => {
  const all = extents(big)

  it.each([1 << 20, 65536, 4099, 300, 7])('a good stream is good, read in %i-byte chunks', (size) => {
    const { good, checked } = checkInChunks(big, size)
    expect(good).toBe(true)
    // Whole chunks hold most packets; in small chunks most are assembled and checked inline.
    if (size >= 4099) expect(checked).toBeGreaterThan(all.length * 0.8)
  })

  const cases: [string, (n: number) => number[]][] = [
    ['the first packet', () => [0]],
    ['the second packet', () => [1]],
    ['a packet inside a run', () => [150]],
    [
      'the packet after non-subunit bytes',
      () => [extents(Buffer.concat([stream(), stream(), stream()])).length],
    ],
    ['the last packet', (n) => [n - 1]],
    ['two packets', (n) => [n - 5, Math.floor(n / 2)]],
  ]
  for (const [what, pick] of cases) {
    for (const where of ['body', 'stored CRC', 'header'] as const) {
      it.each([1 << 20, 4099])(
        `a bad CRC in ${what}, damaged in its ${where}, read in %i-byte chunks`,
        (size) => {
          const bytes = Buffer.from(big)
          for (const k of pick(all.length)) {
            const [o, l] = all[k]!
            // The flags' low byte: the packet still frames the same, but its CRC no longer matches.
            const at = where === 'body' ? o + l - 6 : where === 'stored CRC' ? o + l - 2 : o + 2
            bytes[at]! ^= where === 'header' ? 0x80 : 0x40
          }
          expect(checkInChunks(bytes, size).good).toBe(false)
        },
      )
    }
  }
})

describe('readSubunit checks CRCs in runs, and parses again when one is bad', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  const same = (a: ReturnType<typeof parseSubunit>, b: ReturnType<typeof parseSubunit>) => {
    expect(renderJUnit(a.results)).toBe(renderJUnit(b.results))
    expect(a.results.counts()).toEqual(b.results.counts())
    expect([a.packets, a.parseErrors, a.bytes]).toEqual([b.packets, b.parseErrors, b.bytes])
  }

  it('gives the same results as checking inline, in one parse', async () => {
    const parses = vi.spyOn(SubunitDecoder.prototype, 'end')
    const checks = vi.spyOn(CrcRuns.prototype, 'check')
    const runs = await readSubunit(file(big))
    expect(parses).toHaveBeenCalledOnce()
    expect(checks.mock.results.every((r) => r.value === true)).toBe(true)
    expect(checks.mock.calls.length).toBeGreaterThan(0)
    same(runs, parseSubunit(big))
    same(await readSubunit(file(big), { crc: 'inline' }), parseSubunit(big))
  })

  it('a corrupt packet: parses again inline, and the bad packet becomes a parser failure', async () => {
    const bytes = Buffer.from(big)
    const [offset, length] = extents(bytes)[1500]!
    bytes[offset + length - 6]! ^= 0xff
    const inline = parseSubunit(bytes)
    expect(inline.parseErrors).toBe(1)
    expect(inline.results.tests.some((t) => t.id === 'subunit.parser' && t.outcome === 'failed')).toBe(true)
    const checks = vi.spyOn(CrcRuns.prototype, 'check')
    // parseErrors 1 below: only the inline parse reports the packet (the first one trusted it).
    same(await readSubunit(file(bytes)), inline)
    expect(checks.mock.results.at(-1)!.value).toBe(false)
  })

  it('with onTest: one parse when every CRC is good, each test delivered once, in order', async () => {
    const parses = vi.spyOn(SubunitDecoder.prototype, 'end')
    const seen: string[] = []
    const parsed = await readSubunit(file(big), { onTest: (t) => seen.push(t.id) })
    expect(parses).toHaveBeenCalledOnce()
    expect(seen).toEqual(parseSubunit(big).results.tests.map((t) => t.id))
    same(parsed, parseSubunit(big))
  })

  it('with onTest and a corrupt packet in a later chunk: the tests delivered before it are not delivered again', async () => {
    const many = Buffer.concat([big, big, big, big])
    const all = extents(many)
    const [offset, length] = all[all.length - 100]!
    many[offset + length - 6]! ^= 0xff
    const checks = vi.spyOn(CrcRuns.prototype, 'check')
    const checksAtFirstTest: number[] = []
    const seen: string[] = []
    const parsed = await readSubunit(file(many), {
      onTest: (t) => {
        if (seen.length === 0) checksAtFirstTest.push(checks.mock.calls.length)
        seen.push(t.id)
      },
    })
    const failedCheck = checks.mock.results.findIndex((r) => r.value === false) + 1
    expect(failedCheck).toBeGreaterThan(1)
    // Tests went out after the first chunk checked good, long before the bad one was found.
    expect(checksAtFirstTest[0]).toBeLessThan(failedCheck)
    const inline = parseSubunit(many)
    expect(inline.parseErrors).toBe(1)
    expect(seen).toEqual(inline.results.tests.map((t) => t.id))
    same(parsed, inline)
  })

  it('keep: false keeps no test, but the counts and onTest are the same', async () => {
    const seen: string[] = []
    const parsed = await readSubunit(file(big), { keep: false, onTest: (t) => seen.push(t.id) })
    const kept = parseSubunit(big).results
    expect(parsed.results.tests).toEqual([])
    expect(parsed.results.counts()).toEqual(kept.counts())
    expect([parsed.results.firstTimestamp, parsed.results.lastTimestamp]).toEqual([
      kept.firstTimestamp,
      kept.lastTimestamp,
    ])
    expect(seen).toEqual(kept.tests.map((t) => t.id))
  })
})
