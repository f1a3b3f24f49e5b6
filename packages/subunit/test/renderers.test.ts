import { execFileSync, spawn } from 'node:child_process'
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseResults } from '@stackci/model'
import { describe, expect, it } from 'vitest'
import {
  encodeStream,
  parseSubunit,
  readSubunit,
  renderHtml,
  renderJUnit,
  renderMarkdown,
  toJobResult,
  writeReports,
  type EncodeEvent,
} from '../src/index.js'
import { PYTHON } from './support/reference.js'
import { stestrStream } from './support/stestr.js'

const T0 = Date.UTC(2026, 10, 21, 12) * 1000

function run(
  id: string,
  status: EncodeEvent['status'],
  at: number,
  seconds: number,
  extra: EncodeEvent[] = [],
  worker = 'worker-0',
): EncodeEvent[] {
  return [
    { testId: id, status: 'inprogress', tags: [worker], timestamp: T0 + at * 1e6 },
    ...extra.map((e) => ({ testId: id, ...e })),
    { testId: id, status, tags: [worker], timestamp: T0 + (at + seconds) * 1e6 },
  ]
}

const tb = (msg: string): EncodeEvent => ({
  fileName: 'traceback',
  fileBytes: `Traceback (most recent call last):\n  File "t.py", line 1\nAssertionError: ${msg}`,
  mimeType: 'text/x-traceback;charset=utf8,language=python',
  eof: true,
})

const ID = 'tempest.api.compute.servers.test_servers.ServersTest'
const stream = encodeStream([
  ...run(`${ID}.test_create[id-77fd6be0-1111-2222-3333-444455556666,smoke]`, 'success', 0, 2.5),
  ...run(
    `${ID}.test_delete[id-88fd6be0-1111-2222-3333-444455556666]`,
    'fail',
    1,
    4,
    [tb('server <b>&</b> "gone"')],
    'worker-1',
  ),
  ...run(`${ID}.test_resize`, 'skip', 2, 0.1, [
    { fileName: 'reason', fileBytes: 'Resize is not available', eof: true },
  ]),
  ...run('tempest.scenario.test_x.TestX.test_known', 'xfail', 3, 1, [tb('known bug')], 'worker-1'),
  ...run('tempest.scenario.test_x.TestX.test_fixed', 'uxsuccess', 4, 1),
  { testId: 'tempest.scenario.test_x.TestX.test_hung', status: 'inprogress', timestamp: T0 + 5e6 },
])

describe('renderers', () => {
  const { results } = parseSubunit(stream)

  it('writes JUnit XML that an XML parser accepts, with counts consumers read', () => {
    const xml = renderJUnit(results, { suiteName: 'tempest-full' })
    const dir = mkdtempSync(join(tmpdir(), 'stackci-junit-'))
    writeFileSync(join(dir, 'j.xml'), xml)
    const summary = execFileSync(PYTHON, [
      '-c',
      'import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); s=r.find("testsuite"); ' +
        'print(r.tag, s.get("tests"), s.get("failures"), s.get("skipped"), len(s.findall("testcase")), ' +
        'len(s.findall("testcase/failure")), len(s.findall("testcase/skipped")), s.findall("testcase/failure")[0].get("message"))',
      join(dir, 'j.xml'),
    ]).toString()
    expect(summary.trim()).toBe('testsuites 6 3 1 6 3 1 AssertionError: server <b>&</b> "gone"')
    expect(xml).toContain('name="test_create[id-77fd6be0-1111-2222-3333-444455556666,smoke]" time="2.500"/>')
  })

  it('writes the JUnit file while it reads when only JUnit and JSON are asked for, header last', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stackci-junit-'))
    writeFileSync(join(dir, 's.subunit'), stream)
    const paths = { junit: join(dir, 'out', 'junit.xml'), json: join(dir, 'job.json') }
    const name = 'tempest — full <ü>'
    const { parsed, job } = await writeReports(join(dir, 's.subunit'), paths, { name })
    expect(parsed.results.tests).toEqual([])
    expect(job.tests).toEqual({ total: 6, passed: 2, failed: 3, skipped: 1 })
    expect(job.failures!.map((f) => f.test.split('.').pop())).toEqual([
      'test_delete[id-88fd6be0-1111-2222-3333-444455556666]',
      'test_fixed',
      'test_hung',
    ])
    const summary = execFileSync(PYTHON, [
      '-c',
      'import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); s=r.find("testsuite"); ' +
        'print(r.get("tests"), r.get("failures"), r.get("skipped"), r.get("time"), s.get("name"), len(s.findall("testcase")))',
      paths.junit,
    ]).toString()
    expect(summary.trim()).toBe('6 3 1 5.000 tempest — full <ü> 6')
    const xml = readFileSync(paths.junit, 'utf8')
    expect(xml.replace(/^(<testsuites [^>]*") +>/m, '$1>')).toBe(renderJUnit(results, { suiteName: name }))
    // With HTML asked for too, every test is kept for it.
    const both = await writeReports(join(dir, 's.subunit'), { ...paths, html: join(dir, 'r.html') }, { name })
    expect(both.parsed.results.tests.length).toBe(6)
    expect(readFileSync(paths.junit, 'utf8')).toBe(xml)
    // A read that fails leaves no half-written JUnit file behind: before the first test case…
    const lost = join(dir, 'lost.xml')
    await expect(writeReports(join(dir, 'missing.subunit'), { junit: lost }, { name })).rejects.toThrow(
      /ENOENT/,
    )
    expect(existsSync(lost)).toBe(false)
    // …or after some were written.
    let n = 0
    const failing = {
      collector: {
        onTest: () => {
          if (++n === 3) throw new Error('disk gone')
        },
      },
    }
    await expect(writeReports(join(dir, 's.subunit'), { junit: lost }, { name }, failing)).rejects.toThrow(
      'disk gone',
    )
    expect(existsSync(lost)).toBe(false)
    // A name that is a symlink (as /dev/stdout is) loses neither the link nor the file it leads to.
    const target = join(dir, 'target.xml')
    writeFileSync(target, '')
    symlinkSync(target, join(dir, 'link.xml'))
    n = 0
    await expect(
      writeReports(join(dir, 's.subunit'), { junit: join(dir, 'link.xml') }, { name }, failing),
    ).rejects.toThrow('disk gone')
    expect(lstatSync(join(dir, 'link.xml')).isSymbolicLink()).toBe(true)
    expect(statSync(target).isFile()).toBe(true)
  })

  it('writes JUnit to a pipe, which cannot seek, header first; and never removes a pipe it was given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stackci-junit-'))
    writeFileSync(join(dir, 's.subunit'), stream)
    const fifo = join(dir, 'junit.fifo')
    execFileSync('mkfifo', [fifo])
    const readFifo = () => {
      const cat = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] })
      const chunks: Buffer[] = []
      cat.stdout.on('data', (c: Buffer) => chunks.push(c))
      return new Promise<string>((done) => cat.on('close', () => done(Buffer.concat(chunks).toString())))
    }
    const read = readFifo()
    const { parsed } = await writeReports(join(dir, 's.subunit'), { junit: fifo }, { name: 'p' })
    expect(await read).toBe(renderJUnit(results, { suiteName: 'p' }))
    expect(parsed.results.tests).toEqual([])

    const partial = readFifo()
    const failing = {
      collector: {
        onTest: () => {
          throw new Error('stop')
        },
      },
    }
    await expect(
      writeReports(join(dir, 's.subunit'), { junit: fifo }, { name: 'p' }, failing),
    ).rejects.toThrow('stop')
    expect(await partial).toBe('')
    expect(statSync(fifo).isFIFO()).toBe(true)
  })

  it('escapes markup in a test id that follows plain ones', () => {
    const odd = encodeStream([
      ...run(`${ID}.test_plain`, 'success', 0, 1),
      ...run(`${ID}.test_<a>&"b"`, 'success', 1, 1),
      ...run(`${ID}.test_plain2`, 'fail', 2, 1, [tb('x')]),
    ])
    const parsed = parseSubunit(odd).results
    const xml = renderJUnit(parsed)
    expect(xml).toContain(
      `<testcase classname="${ID}" name="test_&lt;a&gt;&amp;&quot;b&quot;" time="1.000"/>`,
    )
    expect(xml).not.toContain('<a>')
    const html = renderHtml(parsed, { generated: new Date(0) })
    expect(html).toContain('test_&lt;a&gt;&amp;&quot;b&quot;')
    expect(html).not.toContain('<a>')
  })

  it('splits tempest ids into class, method and attributes', () => {
    const t = results.tests[0]!
    expect(t.parts).toEqual({
      className: ID,
      method: 'test_create',
      attributes: ['id-77fd6be0-1111-2222-3333-444455556666', 'smoke'],
      uuid: '77fd6be0-1111-2222-3333-444455556666',
    })
  })

  it('renders a self-contained testr_results.html that shows xfail and uxsuccess', () => {
    const html = renderHtml(results, { title: 'tempest-full', generated: new Date(0) })
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/)
    expect(html).toContain(
      'Pass 1</span> <span class="fail">Failure 2</span> <span class="skip">Skip 1</span> <span class="xfail">Expected failure 1</span> <span class="uxsuccess">Unexpected success 1</span>',
    )
    expect(html).toContain('data-k="xfail"')
    expect(html).toContain('data-k="uxsuccess"')
    expect(html).toContain('Resize is not available')
    expect(html).toContain('AssertionError: server &lt;b&gt;&amp;&lt;/b&gt; &quot;gone&quot;')
    expect(html).toContain('test did not finish')
    // One class row per test class, with its counts.
    expect(html.match(/<tr class="cls"/g)).toHaveLength(2)
    for (const k of ['summary', 'fail', 'skip', 'xfail', 'uxsuccess', 'pass', 'all'])
      expect(html).toContain(`onclick="show('${k}')"`)
  })

  it('renders a Markdown summary with totals, folded failures, slowest tests and worker balance', () => {
    const md = renderMarkdown(results, { title: 'tempest-full' })
    expect(md).toContain(
      '**❌ 3 failed** — 6 tests: 2 passed, 3 failed, 1 skipped (1 expected failures counted as passed), 1 unexpected successes counted as failed, 1 did not finish',
    )
    expect(md).toContain(
      '<details><summary><code>' + `${ID}.test_delete[id-88fd6be0-1111-2222-3333-444455556666]`,
    )
    expect(md).toContain('#### Slowest tests')
    expect(md.indexOf('test_delete[id-88fd')).toBeLessThan(md.indexOf('test_create'))
    expect(md).toMatch(/\| worker-0 \| 3 \| 3\.6 \|\n\| worker-1 \| 2 \| 5\.0 \|/)
  })

  it("keeps the Markdown summary under GitHub's 1 MiB limit with thousands of long failures", () => {
    const events: EncodeEvent[] = []
    for (let i = 0; i < 3000; i++)
      events.push(...run(`a.B.test_${i}`, 'fail', i, 1, [tb('x'.repeat(2000) + i)]))
    const big = parseSubunit(encodeStream(events)).results
    const md = renderMarkdown(big)
    expect(Buffer.byteLength(md)).toBeLessThan(1024 * 1024)
    expect(md).toMatch(/_\d+ more failures not shown \(summary size limit\)\._/)
    expect(md).toContain('#### Worker balance')
  })

  it('produces the JobResult the Gerrit reporter parses', () => {
    const job = toJobResult(results, { name: 'tempest-full', voting: false })
    expect(parseResults(JSON.parse(JSON.stringify(job)))).toEqual({ jobs: [job] })
    expect(job).toMatchObject({
      name: 'tempest-full',
      result: 'FAILURE',
      voting: false,
      start: '2026-11-21T12:00:00.000Z',
      end: '2026-11-21T12:00:05.000Z',
      durationSeconds: 5,
      tests: { total: 6, passed: 2, failed: 3, skipped: 1 },
    })
    expect(job.failures).toEqual([
      {
        test: `${ID}.test_delete[id-88fd6be0-1111-2222-3333-444455556666]`,
        message: 'AssertionError: server <b>&</b> "gone"',
      },
      {
        test: 'tempest.scenario.test_x.TestX.test_fixed',
        message: 'unexpected success (the test was expected to fail)',
      },
      { test: 'tempest.scenario.test_x.TestX.test_hung', message: 'test did not finish' },
    ])
  })

  it('calls a run without tests an ERROR and an all-green run a SUCCESS', () => {
    expect(toJobResult(parseSubunit(new Uint8Array()).results, { name: 'j' }).result).toBe('ERROR')
    const ok = parseSubunit(encodeStream(run('a.B.test', 'success', 0, 1))).results
    expect(toJobResult(ok, { name: 'j' }).result).toBe('SUCCESS')
  })

  it('renders a real stestr run', () => {
    const real = parseSubunit(stestrStream()).results
    const html = renderHtml(real)
    expect(html).toContain('ZeroDivisionError')
    expect(html).toContain('not supported on this cloud')
    expect(renderMarkdown(real)).toContain('AssertionError: 6 != 7 : multiplication is broken on purpose')
  })
})

describe('bounded memory', () => {
  it('caps a huge attachment, keeping its head and its tail, and says it was truncated', () => {
    const huge = Buffer.alloc(3 * 1024 * 1024, 'x')
    huge.write('START', 0)
    huge.write('the real error at the end', huge.length - 25)
    const events: EncodeEvent[] = [{ testId: 'a.B.test', status: 'inprogress' }]
    for (let off = 0; off < huge.length; off += 1 << 20)
      events.push({
        testId: 'a.B.test',
        fileName: 'traceback',
        fileBytes: huge.subarray(off, off + (1 << 20)),
        mimeType: 'text/plain',
      })
    events.push({ testId: 'a.B.test', status: 'fail' })
    const t = parseSubunit(encodeStream(events), { attachmentCap: 4096 }).results.tests[0]!
    const a = t.attachments[0]!
    expect(a.size).toBe(huge.length)
    expect(a.truncated).toBe(true)
    expect(a.retainedBytes).toBe(4096)
    expect(a.text()).toMatch(/^START[x]+\n\[… 3141632 bytes truncated …\]\nx+the real error at the end$/)
  })

  it('reads a file through its reused buffer exactly as the same bytes in memory', async () => {
    // Several MiB, with failures, skips and unfinished tests whose packets straddle the 1 MiB
    // reads: open tests must copy what they keep before the buffer is read into again.
    const events: EncodeEvent[] = []
    for (let i = 0; i < 600; i++) {
      const status = (['fail', 'success', 'skip', 'xfail'] as const)[i % 4]!
      // The log in many small packets, so that reads end between a test's packets.
      const log = Array.from({ length: 20 }, (_, k) => ({
        fileName: 'pythonlogging:',
        fileBytes: `log ${i}.${k} `.repeat(30),
        mimeType: 'text/plain',
      }))
      const why = { fileName: 'reason', fileBytes: `reason ${i}`, eof: true }
      events.push(...run(`a.B.test_${i}`, status, i, 1, [...log, tb(`boom ${i}`), why], `worker-${i % 3}`))
    }
    events.push({ testId: 'a.B.test_hung', status: 'inprogress', fileName: 'x', fileBytes: 'y'.repeat(5000) })
    const bytes = encodeStream(events)
    expect(bytes.length).toBeGreaterThan(3 * 1024 * 1024)
    const file = join(mkdtempSync(join(tmpdir(), 'subunit-read-')), 'stream.subunit')
    writeFileSync(file, bytes)
    const fromFile = (await readSubunit(file)).results
    expect(renderJUnit(fromFile)).toBe(renderJUnit(parseSubunit(bytes).results))
    expect(fromFile.counts()).toMatchObject({ total: 601, failed: 151, skipped: 150 })
  })

  it("drops the attachments of passed tests and caps the run's retained total", () => {
    const events: EncodeEvent[] = []
    for (let i = 0; i < 50; i++) {
      const log = { fileName: 'pythonlogging', fileBytes: 'l'.repeat(10_000) }
      events.push(...run(`a.B.test_${i}`, i % 2 ? 'fail' : 'success', i, 1, [log]))
    }
    const { results } = parseSubunit(encodeStream(events), {
      retainBudget: 50_000,
      attachmentTailWhenFull: 100,
    })
    const kept = results.tests.flatMap((t) => t.attachments)
    expect(results.tests.filter((t) => t.outcome === 'passed').every((t) => t.attachments.length === 0)).toBe(
      true,
    )
    expect(kept).toHaveLength(25)
    expect(kept.reduce((n, a) => n + a.retainedBytes, 0)).toBeLessThanOrEqual(50_000 + 25 * 100)
    expect(kept[kept.length - 1]!.retainedBytes).toBe(100)
    // Holding 100 bytes means holding 100 bytes: not a view that pins the 10,000 it was cut from.
    const { tail } = kept[kept.length - 1] as unknown as { tail: Uint8Array[] }
    expect(tail.map((p) => p.buffer.byteLength)).toEqual([100])
  })

  it('keeps no budget when no test is kept: the streamed JUnit has every failure whole', async () => {
    const events: EncodeEvent[] = []
    for (let i = 0; i < 50; i++) {
      const log = {
        fileName: 'pythonlogging',
        fileBytes: `${i}:` + 'l'.repeat(10_000),
        mimeType: 'text/plain;charset=utf8',
      }
      events.push(...run(`a.B.test_${i}`, i % 2 ? 'fail' : 'success', i, 1, [log]))
    }
    const dir = mkdtempSync(join(tmpdir(), 'subunit-budget-'))
    writeFileSync(join(dir, 's.subunit'), encodeStream(events))
    const collector = { retainBudget: 50_000, attachmentTailWhenFull: 100 }
    const junit = join(dir, 'junit.xml')
    await writeReports(join(dir, 's.subunit'), { junit }, { name: 'b' }, { collector })
    const whole = readFileSync(junit, 'utf8')
    expect(whole).toContain(`49:${'l'.repeat(10_000)}`)
    // Kept for the HTML report, the same run is held to its budget.
    const html = join(dir, 'r.html')
    await writeReports(join(dir, 's.subunit'), { junit, html }, { name: 'b' }, { collector })
    const kept = readFileSync(junit, 'utf8')
    expect(kept).toContain('l'.repeat(100))
    expect(kept).not.toContain(`49:`)
    expect(kept.length).toBeLessThan(whole.length - 100_000)
  })
})
