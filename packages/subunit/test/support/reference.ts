import { execFileSync, spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Debian's python-subunit and stestr belong to /usr/bin/python3, not the first python3 on PATH. */
export const PYTHON = '/usr/bin/python3'
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')

/** A stream written by python-subunit's encoder (fixtures/make_stream.py). */
export function pythonStream(...args: string[]): Buffer {
  return execFileSync(PYTHON, [join(FIXTURES, 'make_stream.py'), ...args], { maxBuffer: 1 << 30 })
}

export interface JUnitCase {
  classname: string
  name: string
  outcome: 'passed' | 'failed' | 'skipped'
  time: string
  failureType?: string
  skipped?: string
}

function unescape(s: string): string {
  return s
    .replace(/&#xA;/g, '\n')
    .replace(/&#x9;/g, '\t')
    .replace(/&#xD;/g, '\r')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

/** The <testcase> elements of a JUnit file (ours or junitxml's), with their outcome. */
export function junitCases(xml: string): JUnitCase[] {
  const cases: JUnitCase[] = []
  const re = /<testcase classname="([^"]*)" name="([^"]*)" time="([^"]*)"(\/>|>([\s\S]*?)<\/testcase>)/g
  for (const m of xml.matchAll(re)) {
    const body = m[5] ?? ''
    const failure = /<failure type="([^"]*)"/.exec(body)
    const skipped = /<skipped>([\s\S]*?)<\/skipped>/.exec(body)
    const c: JUnitCase = {
      classname: unescape(m[1]!),
      name: unescape(m[2]!),
      time: m[3]!,
      outcome: failure ? 'failed' : skipped ? 'skipped' : 'passed',
    }
    if (failure) c.failureType = failure[1]!
    if (skipped) c.skipped = unescape(skipped[1]!)
    cases.push(c)
  }
  return cases
}

/** subunit2junitxml's verdict on a stream (it exits 1 when a test failed, which is not an error here). */
export function referenceJUnit(stream: Uint8Array): { xml: string; suite: Record<string, string> } {
  const r = spawnSync('/usr/bin/subunit2junitxml', ['--no-passthrough'], {
    input: stream,
    maxBuffer: 1 << 30,
  })
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`subunit2junitxml exited ${r.status}: ${r.stderr.toString()}`)
  const xml = r.stdout.toString('utf8')
  const head = /<testsuite ([^>]*)>/.exec(xml)
  const suite: Record<string, string> = {}
  for (const m of (head?.[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)) suite[m[1]!] = m[2]!
  return { xml, suite }
}

/** subunit-stats' counts (it counts uxsuccess and unfinished tests as passed). */
export function subunitStats(stream: Uint8Array): {
  total: number
  passed: number
  failed: number
  skipped: number
} {
  const r = spawnSync('/usr/bin/subunit-stats', ['--no-passthrough'], { input: stream })
  const out = r.stdout.toString()
  const n = (label: string) => Number(new RegExp(`${label} tests:\\s+(\\d+)`).exec(out)?.[1] ?? NaN)
  return { total: n('Total'), passed: n('Passed'), failed: n('Failed'), skipped: n('Skipped') }
}

/** Sorted `classname|name|outcome` keys: a multiset that compares as a list. */
export function caseKeys(cases: JUnitCase[], withTime = false): string[] {
  return cases.map((c) => `${c.classname}|${c.name}|${c.outcome}${withTime ? `|${c.time}` : ''}`).sort()
}
