import { execFileSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseResults } from '@stackci/model'
import { describe, expect, it } from 'vitest'
import { actionDir, runAction } from '../../../test/harness/index.js'

const here = dirname(fileURLToPath(import.meta.url))
const RECORDING_BIN = join(here, 'fixtures/bin')
/** python3-tempest's (scripts/debian-packages.txt). */
const TEMPEST = '/usr/bin/tempest'
const SAMPLE = join(here, '../../../packages/subunit/test/fixtures/sample-project')
const MAKE_STREAM = join(here, '../../../packages/subunit/test/fixtures/make_stream.py')
const ACTION = actionDir('run-tempest-subset')

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stackci-tempest-'))
  cpSync(SAMPLE, dir, { recursive: true })
  return dir
}

/**
 * The real tempest behind a recorder of its arguments (fixtures/bin/tempest), with a HOME of its
 * own: tempest keeps its workspace registry in ~/.tempest.
 */
function withTempest(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${RECORDING_BIN}:${process.env.PATH}`,
    HOME: mkdtempSync(join(tmpdir(), 'stackci-home-')),
    ...extra,
  }
}

/** `tempest workspace register`, into the HOME of an env from withTempest. */
function registerWorkspace(env: Record<string, string>, name: string, path: string): void {
  execFileSync(TEMPEST, ['workspace', 'register', '--name', name, '--path', path], {
    env: { ...process.env, HOME: env.HOME },
    stdio: 'ignore',
  })
}

/** A real stestr stream of the sample project, as a file. */
function stestrStreamFile(): string {
  const dir = project()
  let out: Buffer
  try {
    out = execFileSync('/usr/bin/python3', ['-m', 'stestr', 'run', '--subunit'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
  } catch (e) {
    out = (e as { stdout: Buffer }).stdout
  }
  writeFileSync(join(dir, 'run.subunit'), out)
  return join(dir, 'run.subunit')
}

/** Processes whose working directory is under dir (tempest, stestr and its workers run there). */
function processesIn(dir: string): string[] {
  const found: string[] = []
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) found.push(pid)
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return found
}

function job(path: string) {
  return parseResults(JSON.parse(readFileSync(path, 'utf8'))).jobs[0]!
}

describe('run-tempest-subset with subunit-file', () => {
  it('writes subunit, JUnit, HTML and the JobResult, annotates failures and fails the step', async () => {
    const stream = stestrStreamFile()
    const run = await runAction(ACTION, {
      inputs: { 'subunit-file': stream, 'job-name': 'tempest-sample', voting: 'false' },
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({
      result: 'FAILURE',
      total: '13',
      passed: '7',
      failed: '4',
      skipped: '2',
    })
    for (const k of ['subunit', 'junit', 'html', 'summary-json'])
      expect(existsSync(run.outputs[k]!)).toBe(true)
    expect(readFileSync(run.outputs.subunit!)).toEqual(readFileSync(stream))
    expect(job(run.outputs['summary-json']!)).toMatchObject({
      name: 'tempest-sample',
      result: 'FAILURE',
      voting: false,
      tests: { total: 13, passed: 7, failed: 4, skipped: 2 },
    })
    expect(run.errors).toHaveLength(5) // 4 annotations + the step failure
    expect(
      run.annotations
        .map((a) => a.properties.title)
        .filter(Boolean)
        .sort(),
    ).toEqual([
      'FAILED sample.tests.test_math.TestArithmetic.test_div_zero',
      'FAILED sample.tests.test_math.TestArithmetic.test_fixed_bug',
      'FAILED sample.tests.test_math.TestArithmetic.test_mul_wrong',
      'FAILED sample.tests.test_math.TestStrings.test_prints_then_fails',
    ])
    expect(run.errors).toContain('4 of 13 tests failed')
    expect(run.summary).toContain('### tempest-sample')
    expect(run.summary).toContain('ZeroDivisionError')
    expect(readFileSync(run.outputs.html!, 'utf8')).toContain('Unexpected success 1')
  })

  it("keeps annotations within the runner's 10 and counts the rest; fail-on-failure false keeps the step green", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stackci-stream-'))
    const stream = join(dir, 's.subunit')
    writeFileSync(stream, execFileSync('/usr/bin/python3', [MAKE_STREAM, 'random', '3', '150']))
    const run = await runAction(ACTION, { inputs: { 'subunit-file': stream, 'fail-on-failure': 'false' } })
    expect(run.exitCode).toBe(0)
    const failed = Number(run.outputs.failed)
    expect(failed).toBeGreaterThan(10)
    // The runner shows 10 error annotations per step: 9 failures and a count of the rest.
    expect(run.errors).toHaveLength(10)
    expect(run.errors[9]).toBe(`${failed - 9} more failed tests: see the job summary and testr_results.html`)
    // Failing the step takes one more: 8 failures, the count, the step failure.
    const failing = await runAction(ACTION, { inputs: { 'subunit-file': stream } })
    expect(failing.exitCode).toBe(1)
    expect(failing.errors).toHaveLength(10)
    expect(failing.errors.slice(8)).toEqual([
      `${failed - 8} more failed tests: see the job summary and testr_results.html`,
      `${failed} of ${run.outputs.total} tests failed`,
    ])
  })

  it('calls an empty stream an ERROR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stackci-stream-'))
    writeFileSync(join(dir, 'empty.subunit'), '')
    const run = await runAction(ACTION, { inputs: { 'subunit-file': join(dir, 'empty.subunit') } })
    expect(run.outputs.result).toBe('ERROR')
    expect(run.outputs.total).toBe('0')
    expect(run.exitCode).toBe(1)
    expect(job(run.outputs['summary-json']!).errorDetail).toBe('the stream holds no test results')
  })

  it('warns, and keeps the files, when artifact-name is set but the artifact service is absent', async () => {
    const run = await runAction(ACTION, {
      inputs: {
        'subunit-file': stestrStreamFile(),
        'artifact-name': 'tempest-results',
        'fail-on-failure': 'false',
      },
    })
    expect(run.exitCode).toBe(0)
    expect(run.warnings).toEqual([
      expect.stringMatching(
        /^artifact-name 'tempest-results' was given but the artifact service is not available .*the results stay in .*tempest-results and were not uploaded$/,
      ),
    ])
    expect(run.outputs['artifact-id']).toBeUndefined()
    expect(existsSync(run.outputs.junit!)).toBe(true)
  })

  it('names the bad input', async () => {
    const run = await runAction(ACTION, { inputs: { 'subunit-file': 'nope.subunit' } })
    expect(run.exitCode).toBe(1)
    expect(run.errors[0]).toMatch(/^input 'subunit-file': no such file: .*nope\.subunit$/)
    const bad = await runAction(ACTION, { inputs: { concurrency: 'four', directory: tmpdir() } })
    expect(bad.errors[0]).toBe("input 'concurrency': expected a whole number ≥ 0, got 'four'")
    const negative = await runAction(ACTION, { inputs: { 'timeout-minutes': '-1', directory: tmpdir() } })
    expect(negative.errors[0]).toBe("input 'timeout-minutes': expected a number ≥ 0, got '-1'")
  })
})

describe('run-tempest-subset running tempest', () => {
  it('passes regex, serial and workspace to tempest run and reports what stestr ran', async () => {
    const dir = project()
    const argv = join(dir, 'argv.json')
    const env = withTempest({ FAKE_TEMPEST_ARGV: argv })
    registerWorkspace(env, 'stackci', dir)
    const run = await runAction(ACTION, {
      inputs: { directory: dir, regex: 'TestStrings test_add', serial: 'true', workspace: 'stackci' },
      env,
    })
    expect(JSON.parse(readFileSync(argv, 'utf8'))).toEqual({
      argv: ['run', '--subunit', '--workspace', 'stackci', '--regex', 'TestStrings test_add', '--serial'],
      cwd: dir,
    })
    expect(run.outputs).toMatchObject({
      result: 'FAILURE',
      total: '5',
      passed: '3',
      failed: '1',
      skipped: '1',
    })
    expect(Number(run.outputs['duration-seconds'])).toBeGreaterThan(0)
    // The file is tempest's stdout as written. With --workspace tempest loads its config and logs
    // that to stdout, so the line comes ahead of stestr's first packet (0xb3), and the counts
    // above were read past it.
    const subunit = readFileSync(run.outputs.subunit!)
    const firstPacket = subunit.indexOf(0xb3)
    expect(firstPacket).toBeGreaterThan(0)
    expect(subunit.subarray(0, firstPacket).toString()).toContain('Using tempest config file')
  })

  it('passes include and exclude lists and concurrency; an all-green run succeeds', async () => {
    const dir = project()
    const argv = join(dir, 'argv.json')
    writeFileSync(join(dir, 'include.txt'), '# only arithmetic and strings\nTestArithmetic\nTestStrings\n')
    writeFileSync(join(dir, 'exclude.txt'), 'wrong\ndiv_zero\nfixed_bug\nprints_then_fails\n')
    const run = await runAction(ACTION, {
      inputs: {
        directory: dir,
        'include-list': join(dir, 'include.txt'),
        'exclude-list': join(dir, 'exclude.txt'),
        concurrency: 2,
      },
      env: withTempest({ FAKE_TEMPEST_ARGV: argv }),
    })
    expect(JSON.parse(readFileSync(argv, 'utf8')).argv).toEqual([
      'run',
      '--subunit',
      '--include-list',
      join(dir, 'include.txt'),
      '--exclude-list',
      join(dir, 'exclude.txt'),
      '--concurrency',
      '2',
    ])
    expect(run.outputs).toMatchObject({
      result: 'SUCCESS',
      total: '7',
      passed: '5',
      failed: '0',
      skipped: '2',
    })
    expect(run.exitCode).toBe(0)
    expect(run.errors).toEqual([])
  })

  it('keeps the partial results when the timeout stops tempest, and leaves no process behind', async () => {
    const dir = project()
    const run = await runAction(ACTION, {
      inputs: { directory: dir, regex: 'test_slow', serial: 'true', 'timeout-minutes': '0.15' },
      env: withTempest({ SAMPLE_SLEEP: '300' }),
      timeoutMs: 60_000,
    })
    expect(run.timedOut).toBe(false)
    expect(run.outputs.result).toBe('TIMED_OUT')
    const j = job(run.outputs['summary-json']!)
    expect(j.result).toBe('TIMED_OUT')
    expect(j.errorDetail).toBe('tempest run hit timeout-minutes; results are partial')
    // stestr runs tests in id order: test_sleep_short finished, test_then_hang was cut off (a failure).
    expect(j.tests).toEqual({ total: 2, passed: 1, failed: 1, skipped: 0 })
    expect(j.failures).toEqual([
      { test: 'sample.tests.test_slow.TestSlow.test_then_hang', message: 'test did not finish' },
    ])
    expect(processesIn(dir)).toEqual([])
    expect(run.summary).toContain('**TIMED_OUT**: tempest run hit timeout-minutes; results are partial')
  }, 60_000)

  it('is an ERROR when no test matches', async () => {
    const run = await runAction(ACTION, {
      inputs: { directory: project(), regex: 'no_such_test_anywhere' },
      env: withTempest(),
    })
    expect(run.outputs).toMatchObject({ result: 'ERROR', total: '0' })
    expect(job(run.outputs['summary-json']!).errorDetail).toMatch(/^no tests ran; tempest exited/)
    // stestr says so on stdout, among the stream's bytes.
    expect(job(run.outputs['summary-json']!).errorDetail).toBe(
      "no tests ran; tempest exited 1: The specified regex doesn't match with anything",
    )
  })

  it("is an ERROR with tempest's message when the directory is not set up", async () => {
    const run = await runAction(ACTION, {
      inputs: { directory: mkdtempSync(join(tmpdir(), 'stackci-empty-')) },
      env: withTempest(),
    })
    expect(run.outputs.result).toBe('ERROR')
    expect(job(run.outputs['summary-json']!).errorDetail).toBe(
      'no tests ran; tempest exited 2: No .stestr.conf file was found for local execution',
    )
  })

  it("is an ERROR with tempest's message when the workspace is not registered", async () => {
    const run = await runAction(ACTION, {
      inputs: { directory: project(), workspace: 'nowhere' },
      env: withTempest(),
    })
    expect(run.outputs.result).toBe('ERROR')
    expect(job(run.outputs['summary-json']!).errorDetail).toMatch(
      /^no tests ran; tempest exited 1: The 'nowhere' workspace isn't registered in /,
    )
  })

  it('is an ERROR when tempest is not installed', async () => {
    const run = await runAction(ACTION, {
      inputs: { directory: project() },
      env: { PATH: mkdtempSync(join(tmpdir(), 'stackci-nopath-')) },
    })
    expect(run.outputs.result).toBe('ERROR')
    expect(run.errors[run.errors.length - 1]).toMatch(
      /^ERROR: tempest could not start: spawn tempest ENOENT$/,
    )
  })
})
