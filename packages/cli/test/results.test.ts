import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseResults } from '@stackci/model'
import { encodeStream } from '@stackci/subunit'
import { describe, expect, it } from 'vitest'
import { main } from '../src/main.js'
import { testContext } from './support/context.js'

const context = (cwd: string) => testContext({ cwd })

const T0 = Date.UTC(2026, 0, 1) * 1000
function stream(failing: boolean): Uint8Array {
  return encodeStream([
    { testId: 'a.B.test_ok', status: 'inprogress', timestamp: T0 },
    { testId: 'a.B.test_ok', status: 'success', timestamp: T0 + 1e6 },
    { testId: 'a.B.test_other', status: 'inprogress', timestamp: T0 + 1e6 },
    ...(failing
      ? [
          {
            testId: 'a.B.test_other',
            fileName: 'traceback',
            fileBytes: 'Traceback:\nValueError: nope',
            mimeType: 'text/plain',
            eof: true,
          },
        ]
      : []),
    {
      testId: 'a.B.test_other',
      status: failing ? ('fail' as const) : ('skip' as const),
      timestamp: T0 + 2e6,
    },
  ])
}

describe('stackci results', () => {
  it('writes every report and exits 1 when a test failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stackci-results-'))
    writeFileSync(join(dir, 's.subunit'), stream(true))
    const t = context(dir)
    const code = await main(
      [
        'results',
        's.subunit',
        '--junit',
        'out/junit.xml',
        '--html',
        'out/r.html',
        '--json',
        'out/job.json',
        '--summary',
        'out/s.md',
        '--name',
        'tempest-smoke',
      ],
      t.ctx,
    )
    expect(code).toBe(1)
    expect(t.out()).toBe(
      'FAILURE: 2 tests, 1 passed, 1 failed, 0 skipped\n  FAILED a.B.test_other: ValueError: nope\n',
    )
    const job = parseResults(JSON.parse(readFileSync(join(dir, 'out/job.json'), 'utf8'))).jobs[0]!
    expect(job).toMatchObject({
      name: 'tempest-smoke',
      result: 'FAILURE',
      tests: { total: 2, passed: 1, failed: 1, skipped: 0 },
    })
    expect(readFileSync(join(dir, 'out/junit.xml'), 'utf8')).toContain(
      '<failure type="testtools.testresult.real._StringException" message="ValueError: nope">',
    )
    expect(readFileSync(join(dir, 'out/r.html'), 'utf8')).toContain('<!DOCTYPE html>')
    expect(readFileSync(join(dir, 'out/s.md'), 'utf8')).toContain('### tempest-smoke')
  })

  it('exits 0 when nothing failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stackci-results-'))
    writeFileSync(join(dir, 's.subunit'), stream(false))
    const t = context(dir)
    expect(await main(['results', join(dir, 's.subunit')], t.ctx)).toBe(0)
    expect(t.out()).toBe('SUCCESS: 2 tests, 1 passed, 0 failed, 1 skipped\n')
  })

  it('exits 2 naming the bad argument', async () => {
    const t = context(tmpdir())
    expect(await main(['results', 'no-such.subunit'], t.ctx)).toBe(2)
    expect(t.err()).toContain("STREAM 'no-such.subunit' is not a file")
    const u = context(tmpdir())
    expect(await main(['results'], u.ctx)).toBe(2)
    expect(u.err()).toContain('expected one STREAM, got 0')
    const v = context(tmpdir())
    expect(await main(['results', 'x', '--jnuit', 'f'], v.ctx)).toBe(2)
    expect(v.err()).toMatch(/Unknown option '--jnuit'/)
  })

  it('writes JUnit to /dev/stdout when that is a pipe', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stackci-results-'))
    writeFileSync(join(dir, 's.subunit'), stream(true))
    // What /dev/stdout is, made in the test's own directory: a mistake here must not cost the
    // machine its /dev/stdout.
    symlinkSync('/proc/self/fd/1', join(dir, 'stdout'))
    const bin = resolve(import.meta.dirname, '../bin/stackci.js')
    // Through `| cat`: spawnSync's own stdout is a socket, which /proc/self/fd/1 cannot be opened on.
    const r = spawnSync(
      'sh',
      ['-c', '"$0" "$1" results s.subunit --junit stdout | cat', process.execPath, bin],
      { cwd: dir },
    )
    expect(r.stderr.toString()).toBe('')
    const out = r.stdout.toString()
    expect(out).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites tests="2" failures="1" errors="0" skipped="0" time="2.000">\n/,
    )
    expect(out).toMatch(/<\/testsuites>\nFAILURE: 2 tests, 1 passed, 1 failed, 0 skipped\n/)
  })

  // The corrupt packet is test_other's final status, so test_other never finishes: a failure.
  it('reads stdin through the real bin and reports corrupt packets', () => {
    const bad = Buffer.from(stream(false))
    bad[bad.length - 1]! ^= 1
    const bin = resolve(import.meta.dirname, '../bin/stackci.js')
    const junit = join(mkdtempSync(join(tmpdir(), 'stackci-results-')), 'junit.xml')
    const r = spawnSync(process.execPath, [bin, 'results', '-', '--junit', junit], { input: bad })
    expect(r.status).toBe(1)
    expect(r.stdout.toString()).toMatch(
      /^FAILURE: 3 tests, 1 passed, 2 failed, 0 skipped \(1 corrupt packets reported as subunit.parser\)\n {2}FAILED subunit.parser: Bad checksum - calculated \(0x[0-9a-f]+\), stored \(0x[0-9a-f]+\)\n {2}FAILED a.B.test_other: test did not finish\n$/,
    )
    // Written while stdin was read: the header, counted at the end, agrees with the cases.
    const xml = readFileSync(junit, 'utf8')
    expect(xml).toMatch(/<testsuites tests="3" failures="2" errors="0" skipped="0" time="1.000" *>/)
    expect(xml.match(/<testcase /g)).toHaveLength(3)
    expect(xml.match(/<failure /g)).toHaveLength(2)
  })
})
