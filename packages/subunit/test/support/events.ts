import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SubunitDecoder, type SubunitEvent } from '../../src/index.js'
import { FIXTURES, PYTHON } from './reference.js'

export interface PlainEvent {
  testId: string | null
  status: string | null
  tags: string[] | null
  runnable: boolean
  fileName: string | null
  fileBytes: string | null
  eof: boolean
  mimeType: string | null
  routeCode: string | null
  timestamp: number | null
}

/** python-subunit's own parse of a stream, as plain events (fixtures/dump_events.py). */
export function pythonEvents(stream: Uint8Array): PlainEvent[] {
  const out = execFileSync(PYTHON, [join(FIXTURES, 'dump_events.py')], {
    input: stream,
    maxBuffer: 1 << 30,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  return out
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PlainEvent)
}

function plain(e: SubunitEvent): PlainEvent {
  return {
    testId: e.testId ?? null,
    status: e.status ?? null,
    tags: e.tags ? [...e.tags].sort() : null,
    runnable: e.runnable,
    fileName: e.fileName ?? null,
    fileBytes: e.fileBytes ? Buffer.from(e.fileBytes).toString('hex') : null,
    eof: e.eof,
    mimeType: e.mimeType ?? null,
    routeCode: e.routeCode ?? null,
    timestamp: e.timestamp ?? null,
  }
}

/** Our decoder's events for the stream fed in chunks of `chunkSize` bytes, stdout runs merged. */
export function ourEvents(stream: Uint8Array, chunkSize = stream.length || 1): PlainEvent[] {
  const events: PlainEvent[] = []
  const decoder = new SubunitDecoder((e) => {
    const p = plain(e)
    const prev = events[events.length - 1]
    if (
      prev &&
      p.testId === null &&
      p.fileName === 'stdout' &&
      p.status === null &&
      prev.testId === null &&
      prev.fileName === 'stdout' &&
      prev.status === null
    ) {
      prev.fileBytes += p.fileBytes ?? ''
      return
    }
    events.push(p)
  })
  for (let i = 0; i < stream.length; i += chunkSize) decoder.write(stream.subarray(i, i + chunkSize))
  decoder.end()
  return events
}

/**
 * python-subunit's events for many streams in one python process; undefined for a stream on which
 * python-subunit itself crashes (ValueError or struct.error from a corrupt length).
 */
export function pythonEventsMany(streams: Uint8Array[]): (PlainEvent[] | undefined)[] {
  const dir = mkdtempSync(join(tmpdir(), 'stackci-streams-'))
  const files = streams.map((s, i) => {
    const f = join(dir, `${i}.subunit`)
    writeFileSync(f, s)
    return f
  })
  const out = execFileSync(PYTHON, [join(FIXTURES, 'dump_events.py'), ...files], { maxBuffer: 1 << 30 })
  rmSync(dir, { recursive: true })
  return out
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as PlainEvent[] | null) ?? undefined)
}
