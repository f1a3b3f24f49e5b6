import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  CrcWorker,
  encodeStream,
  parseSubunit,
  readSubunit,
  renderJUnit,
  SubunitDecoder,
  type EncodeEvent,
} from '../src/index.js'

const T0 = Date.UTC(2026, 10, 21, 12) * 1000

/** 300 tests with logs, some failing, some skipped: about 400 packets. */
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

function file(bytes: Uint8Array): string {
  const path = join(mkdtempSync(join(tmpdir(), 'crc-worker-')), 'stream.subunit')
  writeFileSync(path, bytes)
  return path
}

/** The same stream with one byte of the 150th packet's body changed: its CRC no longer matches. */
function corrupted(): { bytes: Buffer; at: number } {
  const bytes = stream()
  const [offset, length] = extents(bytes)[150]!
  bytes[offset + length - 6]! ^= 0xff
  return { bytes, at: offset }
}

describe('CrcWorker', () => {
  it('checks every packet it is given and finds the one whose CRC is wrong', async () => {
    const good = stream()
    const all = extents(good)
    expect(all.length).toBeGreaterThan(800)
    const ok = new CrcWorker(file(good))
    for (const [o, l] of all) expect(ok.push(o, l)).toBe(true)
    expect(await ok.finish()).toBe('good')

    const { bytes, at } = corrupted()
    const bad = new CrcWorker(file(bytes))
    for (const [o, l] of extents(bytes)) bad.push(o, l)
    expect(await bad.finish()).toBe('bad')
    expect(bad.offset).toBe(at)
  })

  it('answers false when its ring is full, so the decoder checks the packet itself', async () => {
    const good = stream()
    const w = new CrcWorker(file(good), { capacity: 4 })
    const answers = extents(good).map(([o, l]) => w.push(o, l))
    expect(answers.slice(0, 3)).toEqual([true, true, true])
    expect(answers).toContain(false)
    expect(await w.finish()).toBe('good')
  })

  // Adjacent packets are checked in one call (see checkExtents): every position in a run, runs cut
  // by non-subunit bytes, by the 4 MiB read window and by the worker catching up must still name
  // the exact first bad packet.
  describe('checks runs of adjacent packets in one call, and still names the first bad packet', () => {
    /** Over 4 MiB (two read windows), with non-subunit bytes between some packets. */
    const big = (() => {
      const parts: Uint8Array[] = []
      for (let i = 0; i < 32; i++) {
        parts.push(stream())
        if (i % 8 === 7) parts.push(Buffer.from(`junk between packets ${i}\n`))
      }
      return Buffer.concat(parts)
    })()
    const all = extents(big)
    const cases: [string, (n: number) => number[]][] = [
      ['the first packet', () => [0]],
      ['the second packet', () => [1]],
      ['a packet inside a run', () => [150]],
      ['the packet after non-subunit bytes', (n) => [Math.floor(n / 3) + 1]],
      ['the last packet', (n) => [n - 1]],
      ['two packets: the first is named', (n) => [n - 5, Math.floor(n / 2)]],
    ]
    for (const [what, pick] of cases) {
      for (const where of ['body', 'stored CRC'] as const) {
        it(`${what}, damaged in its ${where}`, async () => {
          const bytes = Buffer.from(big)
          const hit = pick(all.length)
          for (const k of hit) {
            const [o, l] = all[k]!
            bytes[where === 'body' ? o + l - 6 : o + l - 2]! ^= 0x40
          }
          const w = new CrcWorker(file(bytes))
          expect(all.filter(([o, l]) => !w.push(o, l))).toEqual([])
          expect(await w.finish()).toBe('bad')
          expect(w.offset).toBe(Math.min(...hit.map((k) => all[k]![0])))
        })
      }
    }

    it('a good stream handed over slowly (the worker keeps catching up) is good', async () => {
      expect(all.length).toBeGreaterThan(10_000)
      expect(big.length).toBeGreaterThan(4 * 1024 * 1024)
      const w = new CrcWorker(file(big))
      for (let i = 0; i < all.length; i++) {
        w.push(all[i]![0], all[i]![1])
        if (i % 997 === 0) await new Promise((r) => setTimeout(r, 1))
      }
      expect(await w.finish()).toBe('good')
    })
  })

  it('reports a file shorter than the stream the decoder saw as bad', async () => {
    const good = stream()
    const all = extents(good)
    const w = new CrcWorker(file(good.subarray(0, good.length - 100)))
    for (const [o, l] of all) w.push(o, l)
    expect(await w.finish()).toBe('bad')
  })
})

describe('readSubunit with the CRC worker', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  const same = (a: ReturnType<typeof parseSubunit>, b: ReturnType<typeof parseSubunit>) => {
    expect(renderJUnit(a.results)).toBe(renderJUnit(b.results))
    expect(a.results.counts()).toEqual(b.results.counts())
    expect([a.packets, a.parseErrors, a.bytes]).toEqual([b.packets, b.parseErrors, b.bytes])
  }

  it('gives the same results as checking inline', async () => {
    const bytes = stream()
    const verdict = vi.spyOn(CrcWorker.prototype, 'finish')
    const parses = vi.spyOn(SubunitDecoder.prototype, 'end')
    const offloaded = await readSubunit(file(bytes), { crcWorker: 'always' })
    // The worker's 'good' is what lets the one parse that trusted every CRC stand.
    expect(verdict).toHaveBeenCalledOnce()
    expect(verdict.mock.settledResults).toEqual([{ type: 'fulfilled', value: 'good' }])
    expect(parses).toHaveBeenCalledOnce()
    same(offloaded, parseSubunit(bytes))
  })

  it('parses again, checking inline, when a packet is corrupt: the bad packet becomes a parser failure', async () => {
    const { bytes } = corrupted()
    const inline = parseSubunit(bytes)
    expect(inline.parseErrors).toBe(1)
    expect(inline.results.tests.some((t) => t.id === 'subunit.parser' && t.outcome === 'failed')).toBe(true)
    const verdict = vi.spyOn(CrcWorker.prototype, 'finish')
    const parses = vi.spyOn(SubunitDecoder.prototype, 'end')
    same(await readSubunit(file(bytes), { crcWorker: 'always' }), inline)
    expect(verdict.mock.settledResults).toEqual([{ type: 'fulfilled', value: 'bad' }])
    expect(parses).toHaveBeenCalledTimes(2)
  })
})
