import type * as fsModule from 'node:fs'
import type * as threadsModule from 'node:worker_threads'
import { Worker } from 'node:worker_threads'
import * as zlib from 'node:zlib'

/**
 * Checks packet CRCs of a subunit file on a second thread while the main thread decodes.
 *
 * CRC-32 is a third of a large parse and needs nothing but the packet's bytes, which the file
 * still holds: the decoder pushes each packet's extent (offset, length) into a ring in shared
 * memory and decodes the packet at once, as if its CRC were good; the worker reads the same
 * bytes from the file and checks them. Corrupt packets are rare (a stream whose writer died
 * mid-packet or a damaged file), so `finish()` almost always answers 'good'; anything else
 * ('bad', or the worker failed) means the caller parses the file again with the CRC checked
 * inline, which gives exactly python-subunit's events. The main thread never waits during the
 * parse: when the ring is full it checks the packet itself (`push` answers false).
 */
export interface CrcOffload {
  /** Hands a packet to the checker; false when the caller must check it itself. */
  push(offset: number, length: number): boolean
}

export type CrcVerdict = 'good' | 'bad' | 'failed'

// Control words (Int32) in shared memory.
const TAIL = 0 // next slot the decoder writes
const HEAD = 1 // next slot the worker reads
const DONE = 2 // 1 once the decoder has pushed its last extent

/** Extents the ring holds: enough for a 100 MB stream's packets to wait for a worker that starts late. */
const CAPACITY = 1 << 16

type WorkerModules = [typeof threadsModule, typeof fsModule, typeof zlib]

/**
 * The worker's whole program. It runs from its source text in a worker started with
 * `eval: true`, so it must not refer to anything outside itself (its modules come as arguments)
 * and has no inner named functions (bundlers may wrap those in helpers the worker lacks).
 *
 * One zlib.crc32 call per packet costs twice what the bytes do (85,000 calls: 57 ms against 30 ms
 * for the same 110 MB in one call), so a run of adjacent packets is checked in one call. CRC-32
 * makes that exact for good packets: a message followed by its own CRC, little-endian, always
 * leaves the same value, RESIDUE; and a packet that starts after such a pair is checked as if
 * alone once its first four bytes are XORed with SEED (the difference between that register and
 * the initial one). So each packet's stored CRC (big-endian in subunit) is reversed in place, each
 * packet but the run's first gets the SEED, and the run is good when one call over it gives
 * RESIDUE. A run that gives anything else is read again from the file and checked packet by
 * packet, to name the first bad one. Two or more bad CRCs in one run could cancel out, with the
 * same 2^-32 chance that one damaged packet has of matching its CRC by accident.
 */
function checkExtents(...[threads, fs, zlibModule]: WorkerModules): void {
  const { path, control, extents } = threads.workerData as {
    path: string
    control: SharedArrayBuffer
    extents: SharedArrayBuffer
  }
  const RESIDUE = 0x2144df1c
  const SEED = [0x1c, 0xdf, 0x44, 0x21]
  const ctrl = new Int32Array(control)
  const ext = new Float64Array(extents)
  const capacity = ext.length / 2
  const fd = fs.openSync(path, 'r')
  let buf = Buffer.allocUnsafeSlow(4 * 1024 * 1024)
  let winStart = 0
  let winEnd = 0
  let head = 0
  let bad = -1
  // The run of adjacent packets not yet checked, as offsets into buf (empty when equal).
  let runStart = 0
  let runEnd = 0
  let done = false
  while (!done) {
    const tail = Atomics.load(ctrl, 0)
    let start = -1
    let length = 0
    if (head !== tail) {
      start = ext[head * 2]!
      length = ext[head * 2 + 1]!
      head = (head + 1) % capacity
      // Freeing the slot before checking it is safe: its values are already read.
      Atomics.store(ctrl, 1, head)
      if (bad !== -1) continue
    } else if (Atomics.load(ctrl, 2) === 1 && Atomics.load(ctrl, 0) === head) done = true
    const at = start - winStart
    const joins =
      start !== -1 && runEnd > runStart && at === runEnd && length >= 8 && start + length <= winEnd
    // Check the run when this packet cannot join it: before waiting, before reading a new window.
    if (!joins && runEnd > runStart && bad === -1) {
      const run = new Uint8Array(buf.buffer, buf.byteOffset + runStart, runEnd - runStart)
      if (zlibModule.crc32(run) >>> 0 !== RESIDUE) {
        // Undo the changes and find the bad packet by the lengths in the packet headers.
        fs.readSync(fd, buf, runStart, runEnd - runStart, winStart + runStart)
        let p = runStart
        while (p < runEnd && bad === -1) {
          const l0 = buf[p + 3]!
          const kind = l0 & 0xc0
          const len =
            kind === 0
              ? l0 & 0x3f
              : kind === 0x40
                ? ((l0 & 0x3f) << 8) | buf[p + 4]!
                : ((l0 & 0x3f) << 16) | (buf[p + 4]! << 8) | buf[p + 5]!
          const q = p + len
          const stored = ((buf[q - 4]! << 24) | (buf[q - 3]! << 16) | (buf[q - 2]! << 8) | buf[q - 1]!) >>> 0
          if (
            len < 8 ||
            q > runEnd ||
            zlibModule.crc32(new Uint8Array(buf.buffer, buf.byteOffset + p, len - 4)) >>> 0 !== stored
          )
            bad = winStart + p
          p = q
        }
        // The run gave the wrong value, so some packet in it is bad even if the walk missed it.
        if (bad === -1) bad = winStart + runStart
      }
      runStart = runEnd = 0
    }
    if (start === -1) {
      if (!done) Atomics.wait(ctrl, 0, tail, 50)
      continue
    }
    if (bad !== -1) continue
    if (joins) {
      for (let k = 0; k < 4; k++) buf[at + k]! ^= SEED[k]!
    } else {
      if (start < winStart || start + length > winEnd) {
        if (length > buf.length) buf = Buffer.allocUnsafeSlow(length)
        const n = fs.readSync(fd, buf, 0, buf.length, start)
        winStart = start
        winEnd = start + n
        // The file is shorter than the stream the decoder saw: treat as a mismatch.
        if (start + length > winEnd) {
          bad = start
          continue
        }
      }
      const from = start - winStart
      if (length < 8) {
        // Too short to take the SEED (its CRC overlaps its header): checked alone.
        const q = from + length
        const stored = ((buf[q - 4]! << 24) | (buf[q - 3]! << 16) | (buf[q - 2]! << 8) | buf[q - 1]!) >>> 0
        if (zlibModule.crc32(new Uint8Array(buf.buffer, buf.byteOffset + from, length - 4)) >>> 0 !== stored)
          bad = start
        continue
      }
      runStart = runEnd = from
    }
    // The stored CRC, big-endian, becomes little-endian in place.
    const e = runEnd + length
    const b4 = buf[e - 4]!
    const b3 = buf[e - 3]!
    buf[e - 4] = buf[e - 1]!
    buf[e - 3] = buf[e - 2]!
    buf[e - 2] = b3
    buf[e - 1] = b4
    runEnd = e
  }
  fs.closeSync(fd)
  threads.parentPort!.postMessage(bad === -1 ? { verdict: 'good' } : { verdict: 'bad', offset: bad })
}

const WORKER_SOURCE = `(${checkExtents.toString()})(require('node:worker_threads'), require('node:fs'), require('node:zlib'))`

/** True where zlib has a native crc32 (Node 20.15+, 22.2+): without it the worker has nothing to use. */
export const canOffloadCrc = typeof (zlib as { crc32?: unknown }).crc32 === 'function'

export class CrcWorker implements CrcOffload {
  private readonly control = new Int32Array(new SharedArrayBuffer(16))
  private readonly extents: Float64Array
  private readonly capacity: number
  private readonly worker: Worker
  private readonly result: Promise<CrcVerdict>
  private tail = 0
  /** The worker's read position as last seen: re-read only when the ring looks full. */
  private head = 0
  private pushed = 0
  /** Where the first bad packet starts, once finish() said 'bad'. */
  offset: number | undefined

  constructor(path: string, options: { capacity?: number } = {}) {
    this.capacity = Math.max(2, options.capacity ?? CAPACITY)
    this.extents = new Float64Array(new SharedArrayBuffer(this.capacity * 16))
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path, control: this.control.buffer, extents: this.extents.buffer },
      // The worker needs little: a small heap keeps the process's peak memory down.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
      stdout: false,
      stderr: false,
    })
    this.result = new Promise<CrcVerdict>((resolve) => {
      this.worker.once('message', (m: { verdict: 'good' | 'bad'; offset?: number }) => {
        this.offset = m.offset
        resolve(m.verdict)
      })
      // Any failure of the checker only costs time: the caller checks everything itself.
      this.worker.once('error', () => resolve('failed'))
      this.worker.once('exit', () => resolve('failed'))
    })
  }

  push(offset: number, length: number): boolean {
    const next = (this.tail + 1) % this.capacity
    if (next === this.head) {
      this.head = Atomics.load(this.control, HEAD)
      if (next === this.head) return false
    }
    const i = this.tail * 2
    this.extents[i] = offset
    this.extents[i + 1] = length
    this.tail = next
    Atomics.store(this.control, TAIL, next)
    // Waking the worker costs a system call: once per 1024 packets is plenty (it also polls).
    if (++this.pushed % 1024 === 0) Atomics.notify(this.control, TAIL)
    return true
  }

  /** Every extent is pushed: waits for the worker's verdict on all of them. */
  async finish(): Promise<CrcVerdict> {
    Atomics.store(this.control, DONE, 1)
    Atomics.notify(this.control, TAIL)
    return this.result
  }

  /** Stops the worker without a verdict (the parse failed). */
  async cancel(): Promise<void> {
    await this.worker.terminate()
  }
}
