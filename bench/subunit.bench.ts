/**
 * pnpm bench: subunit v2 → JUnit + JSON, ours against python-subunit's subunit2junitxml, on a
 * stream of more than 100 MB written by python-subunit's own encoder (tempest-like ids, 2 %
 * failures with tracebacks, 8 % skips, pythonlogging on every test). Both run as child processes
 * in the same run, measured the same way (wall time, CPU time and peak RSS from wait4), and must
 * report the same numbers of tests and failures.
 *
 * Ours is measured twice: (1) stream → JUnit + JSON, the same work as subunit2junitxml, with
 * bench/subunit-runner.ts bundled to one plain .mjs by esbuild (tsx's own, so no compile step is
 * timed); (2) the committed run-tempest-subset bundle (dist/index.js, what a runner executes) given
 * the stream as `subunit-file`, which also writes testr_results.html and the Markdown summary.
 * Both run on Node 24, what GitHub's runners give our bundles (action.yml `using: node24`;
 * scripts/install-deps.sh installs it), and again on this machine's own Node for comparison; the
 * target is judged on Node 24.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from '../scripts/lib/repo.js'
import { node24Path } from '../test/harness/node24.js'

const PYTHON = '/usr/bin/python3'
const MIN_BYTES = 100 * 1024 * 1024
const TARGET_RATIO = 10
const TARGET_RSS_MB = 150

function streamFile(): string {
  // Generated once and cached: python needs a while to write 100 MB and the content is fixed (seeded).
  const dir = join(tmpdir(), 'stackci-bench')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, 'tempest-105MB.subunit')
  if (existsSync(file) && statSync(file).size >= MIN_BYTES) return file
  console.log('generating a 105 MB tempest-like stream with python-subunit (cached in ' + dir + ') ...')
  const tmp = `${file}.${process.pid}.tmp`
  execFileSync('sh', [
    '-c',
    `"$0" "$1" tempest 105 > "$2"`,
    PYTHON,
    join(repoRoot, 'packages/subunit/test/fixtures/make_stream.py'),
    tmp,
  ])
  renameSync(tmp, file)
  return file
}

interface Measure {
  wall: number
  cpu: number
  rssMB: number
  status: number
  /** What this run's JSON said, to compare with subunit2junitxml's XML. */
  totals?: string
}

// wait4 gives the peak RSS of exactly the child (not of this tsx process or of other children).
// Every run starts from the same state, as hyperfine's --prepare would set it: the stream wholly in
// the page cache (this VM's host takes pages back now and then) and no dirty pages left by earlier
// runs' reports, which the kernel otherwise writes back during the next run, on one of two cores.
// That cost our 0.19 s runner about 10 ms a run (fastest half of 30 runs: 197 → 188 ms with a
// sync first), ten times the share it takes of subunit2junitxml's 1.8 s.
const MEASURE_PY = `
import json, os, subprocess, sys, time
stdin = open(sys.argv[1], 'rb') if sys.argv[1] != '-' else subprocess.DEVNULL
with open(sys.argv[2], 'rb') as warm:
    while warm.read(1 << 20):
        pass
os.sync()
t = time.monotonic()
p = subprocess.Popen(sys.argv[3:], stdin=stdin, stdout=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
print(json.dumps({'wall': time.monotonic() - t, 'cpu': ru.ru_utime + ru.ru_stime,
                  'rssMB': ru.ru_maxrss / 1024, 'status': os.waitstatus_to_exitcode(status)}))
`

/** Runs argv on `stdin` ('-': none) once `stream` is read into the page cache and the disk synced. */
function measure(stream: string, stdin: string, argv: string[], env?: NodeJS.ProcessEnv): Measure {
  const r = spawnSync(PYTHON, ['-c', MEASURE_PY, stdin, stream, ...argv], {
    env: env ?? process.env,
    encoding: 'utf8',
  })
  if (r.status !== 0) throw new Error(`measuring ${argv.join(' ')} failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as Measure
}

/**
 * Every run writes into fresh files, as a CI job writes into a fresh output directory. Rewriting
 * the last run's files would time the file system instead: ext4 starts writing back a file that
 * was truncated to zero when it is closed (auto_da_alloc), in the writer's process. That cost our
 * runner about 15 ms of its 0.2 s with 7 MB of JUnit; subunit2junitxml is spared it the same way.
 */
function fresh(...paths: string[]): void {
  for (const p of paths) rmSync(p, { recursive: true, force: true })
}

function reference(stream: string, out: string): Measure {
  fresh(out)
  // --no-passthrough: otherwise non-subunit bytes land in the XML (reference section 3.1).
  const m = measure(stream, stream, ['/usr/bin/subunit2junitxml', '--no-passthrough', '-o', out])
  if (m.status !== 0 && m.status !== 1) throw new Error(`subunit2junitxml exited ${m.status}`)
  return m
}

function ours(node: string, stream: string, work: string): Measure {
  const outputDir = join(work, 'ours')
  const files = { GITHUB_OUTPUT: join(work, 'output'), GITHUB_STEP_SUMMARY: join(work, 'summary') }
  for (const f of Object.values(files)) writeFileSync(f, '')
  fresh(outputDir)
  const env = {
    PATH: process.env.PATH,
    ...files,
    GITHUB_WORKSPACE: work,
    RUNNER_TEMP: work,
    'INPUT_SUBUNIT-FILE': stream,
    'INPUT_OUTPUT-DIR': outputDir,
    'INPUT_JOB-NAME': 'bench',
    'INPUT_FAIL-ON-FAILURE': 'false',
    INPUT_VOTING: 'true',
  }
  const m = measure(stream, '-', [node, join(repoRoot, 'actions/run-tempest-subset/dist/index.js')], env)
  if (m.status !== 0) throw new Error(`run-tempest-subset exited ${m.status}`)
  return { ...m, totals: totals(join(outputDir, 'job-result.json')) }
}

function totals(jobJson: string): string {
  const { tests } = JSON.parse(readFileSync(jobJson, 'utf8')) as { tests: { total: number; failed: number } }
  return `${tests.total} tests, ${tests.failed} failures`
}

function bundleRunner(work: string): string {
  const out = join(work, 'subunit-runner.mjs')
  execFileSync(join(repoRoot, 'node_modules/.bin/esbuild'), [
    join(repoRoot, 'bench/subunit-runner.ts'),
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--target=node20',
    `--outfile=${out}`,
    '--log-level=warning',
  ])
  return out
}

function oursJUnitJson(node: string, runner: string, stream: string, work: string): Measure {
  const [xml, json] = [join(work, 'runner.xml'), join(work, 'runner.json')]
  fresh(xml, json)
  const m = measure(stream, '-', [node, runner, stream, xml, json])
  if (m.status !== 0) throw new Error(`subunit-runner exited ${m.status}`)
  return { ...m, totals: totals(json) }
}

const stream = streamFile()
const size = statSync(stream).size
const work = mkdtempSync(join(tmpdir(), 'stackci-bench-run-'))
const refXml = join(work, 'reference.xml')
const runner = bundleRunner(work)
const node24 = node24Path()
const here = process.execPath
const hereVersion = process.version.split('.')[0]
const runs = {
  ref: [] as Measure[],
  lean24: [] as Measure[],
  lean: [] as Measure[],
  ours24: [] as Measure[],
  ours: [] as Measure[],
}
// Interleaved, best of five: the machine is shared and its speed swings by a third from run to
// run, so no tool gets the quiet moment alone.
for (let i = 0; i < 5; i++) {
  runs.lean24.push(oursJUnitJson(node24, runner, stream, work))
  runs.ref.push(reference(stream, refXml))
  runs.ours24.push(ours(node24, stream, work))
  runs.lean.push(oursJUnitJson(here, runner, stream, work))
  runs.ours.push(ours(here, stream, work))
}
const best = (ms: Measure[], k: 'wall' | 'cpu') => Math.min(...ms.map((m) => m[k]))
const peak = (ms: Measure[]) => Math.max(...ms.map((m) => m.rssMB))

const suite = /<testsuite ([^>]*)>/.exec(readFileSync(refXml, 'utf8'))![1]!
const attr = (n: string) => Number(new RegExp(`${n}="([^"]*)"`).exec(suite)![1])
const refTotals = `${attr('tests')} tests, ${attr('failures')} failures`
const same = [runs.lean24, runs.lean, runs.ours24, runs.ours].every((ms) =>
  ms.every((m) => m.totals === refTotals),
)
rmSync(work, { recursive: true, force: true })

const f = (n: number) => n.toFixed(2)
const line = (name: string, ms: Measure[]) =>
  `${name.padEnd(52)} wall ${f(best(ms, 'wall'))} s, cpu ${f(best(ms, 'cpu'))} s, peak RSS ${peak(ms).toFixed(1)} MB`
const ratio = (ms: Measure[]) =>
  `wall ${f(best(runs.ref, 'wall') / best(ms, 'wall'))}x, cpu ${f(best(runs.ref, 'cpu') / best(ms, 'cpu'))}x`
console.log(
  `stream: ${(size / 1e6).toFixed(1)} MB, ${attr('tests')} tests, ${attr('failures')} failures (python-subunit encoder)`,
)
console.log(line('subunit2junitxml (reference)', runs.ref))
console.log(line('ours, Node 24: stream → JUnit + JSON', runs.lean24))
console.log(line('ours, Node 24: run-tempest-subset bundle (+HTML, MD)', runs.ours24))
console.log(line(`ours, ${hereVersion}: stream → JUnit + JSON`, runs.lean))
console.log(line(`ours, ${hereVersion}: run-tempest-subset bundle (+HTML, MD)`, runs.ours))
const speedup = best(runs.ref, 'wall') / best(runs.lean24, 'wall')
console.log(
  `ratio vs subunit2junitxml, JUnit + JSON, Node 24: ${ratio(runs.lean24)} (target ≥ ${TARGET_RATIO}x${speedup < TARGET_RATIO ? ', MISSED' : ''})`,
)
// Each round's reference run over the runner's run beside it: a drift in the machine's speed
// cancels out of these, which the best-of-five ratio cannot promise.
const paired = runs.ref.map((r, i) => r.wall / runs.lean24[i]!.wall).sort((a, b) => a - b)
console.log(
  `  per round, JUnit + JSON, Node 24: ${paired.map(f).join(' / ')}x (median ${f(paired[paired.length >> 1]!)}x)`,
)
console.log(`ratio vs subunit2junitxml, whole action, Node 24:  ${ratio(runs.ours24)}`)
console.log(`ratio vs subunit2junitxml, JUnit + JSON, ${hereVersion}:     ${ratio(runs.lean)}`)
console.log(`ratio vs subunit2junitxml, whole action, ${hereVersion}:      ${ratio(runs.ours)}`)
const worst = Math.max(peak(runs.lean24), peak(runs.lean))
console.log(
  `peak RSS: subunit2junitxml ${peak(runs.ref).toFixed(1)} MB; ours, JUnit + JSON ${peak(runs.lean24).toFixed(1)} MB ` +
    `(Node 24) / ${peak(runs.lean).toFixed(1)} MB (${hereVersion}); action ${peak(runs.ours24).toFixed(1)} / ` +
    `${peak(runs.ours).toFixed(1)} MB (target for JUnit + JSON ≤ ${TARGET_RSS_MB} MB${worst > TARGET_RSS_MB ? ', MISSED' : ''})`,
)
// Every run's wall time: on a shared machine the spread says how far to trust one ratio.
const walls = (ms: Measure[]) => ms.map((m) => f(m.wall)).join(' / ')
console.log(`each run, wall s: subunit2junitxml ${walls(runs.ref)}`)
console.log(`  ours, Node 24 ${walls(runs.lean24)}; action ${walls(runs.ours24)}`)
console.log(`  ours, ${hereVersion} ${walls(runs.lean)}; action ${walls(runs.ours)}`)
console.log(`same totals as subunit2junitxml: ${same ? 'yes' : 'NO'}`)
if (!same) process.exitCode = 1
