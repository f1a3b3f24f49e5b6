import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import { repoRoot } from '../../scripts/lib/repo.js'
import { parseFileCommand, parsePathFile, parseStdout, type Annotation } from './commands.js'

/**
 * Runs an action's bundle the way the GitHub runner does: a fresh `node` process, inputs as
 * INPUT_<NAME> (spaces to `_`, upper-cased, hyphens kept) with action.yml defaults filled in, the
 * file-command files and runner directories set, and nothing else inherited from this process
 * but PATH and HOME. Returns what the runner would see.
 */

export interface RunActionOptions {
  /** Input values by the names action.yml declares. */
  inputs?: Record<string, string | number | boolean>
  /** Extra environment (GITHUB_TOKEN, GITHUB_SERVER_URL of a test server, ...). */
  env?: Record<string, string>
  /** Which entry to run: `main` (default) or `post` (with `state` from the main run). */
  entry?: 'main' | 'post'
  state?: Record<string, string>
  /** Reuse directories between runs (the tool cache across jobs, for example). */
  dirs?: Partial<RunnerDirs>
  /** Kill the action after this long (default 120 s) and report timedOut. */
  timeoutMs?: number
  /** The node binary (default: the one running the tests); see node24Path() for the runners' Node 24. */
  node?: string
  /** Called with each chunk of stdout, for progress assertions or debugging. */
  onStdout?: (chunk: string) => void
}

export interface RunnerDirs {
  /** Root of this run's scratch space; the others sit under it unless given. */
  root: string
  temp: string
  toolCache: string
  workspace: string
}

export interface ActionRun {
  exitCode: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  stdout: string
  stderr: string
  outputs: Record<string, string>
  state: Record<string, string>
  exportedEnv: Record<string, string>
  path: string[]
  summary: string
  annotations: Annotation[]
  errors: string[]
  warnings: string[]
  masks: string[]
  groups: string[]
  log: string[]
  dirs: RunnerDirs
  durationMs: number
}

interface ActionManifest {
  inputs?: Record<string, { default?: unknown }>
  runs: { using: string; main: string; post?: string }
}

/** INPUT_ name mangling of the runner and of @actions/core's getInput. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

export function makeRunnerDirs(base?: Partial<RunnerDirs>): RunnerDirs {
  const root = base?.root ?? mkdtempSync(join(tmpdir(), 'stackci-runner-'))
  const dirs = {
    root,
    temp: base?.temp ?? join(root, 'temp'),
    toolCache: base?.toolCache ?? join(root, 'tool-cache'),
    workspace: base?.workspace ?? join(root, 'workspace'),
  }
  for (const d of [dirs.temp, dirs.toolCache, dirs.workspace]) mkdirSync(d, { recursive: true })
  return dirs
}

/** Evaluates the few expressions action.yml defaults use; others are left for the test to override. */
function evaluateDefault(value: unknown, env: Record<string, string>): string {
  const text = typeof value === 'string' ? value : String(value)
  return text.replace(/\$\{\{\s*github\.token\s*\}\}/g, env.GITHUB_TOKEN ?? '')
}

export async function runAction(actionDir: string, options: RunActionOptions = {}): Promise<ActionRun> {
  const dir = resolve(actionDir)
  const manifest = parse(readFileSync(join(dir, 'action.yml'), 'utf8')) as ActionManifest
  if (!/^node\d+$/.test(manifest.runs?.using ?? '')) throw new Error(`${dir}: not a JavaScript action`)
  const entry = options.entry === 'post' ? manifest.runs.post : manifest.runs.main
  if (!entry) throw new Error(`${dir}: action.yml has no runs.${options.entry ?? 'main'}`)

  const dirs = makeRunnerDirs(options.dirs)
  const files = {
    output: join(dirs.temp, `output-${process.hrtime.bigint()}`),
    state: join(dirs.temp, `state-${process.hrtime.bigint()}`),
    env: join(dirs.temp, `env-${process.hrtime.bigint()}`),
    path: join(dirs.temp, `path-${process.hrtime.bigint()}`),
    summary: join(dirs.temp, `summary-${process.hrtime.bigint()}`),
    event: join(dirs.temp, 'event.json'),
  }
  for (const f of [files.output, files.state, files.env, files.path, files.summary]) writeFileSync(f, '')
  writeFileSync(files.event, '{}')

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: 'stackci-test',
    GITHUB_ACTION_PATH: dir,
    GITHUB_WORKSPACE: dirs.workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: 'stackci/test',
    GITHUB_REPOSITORY_OWNER: 'stackci',
    GITHUB_RUN_ID: '1001',
    GITHUB_RUN_NUMBER: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'test',
    GITHUB_SHA: '0'.repeat(40),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'stackci-harness',
    RUNNER_TEMP: dirs.temp,
    RUNNER_TOOL_CACHE: dirs.toolCache,
    ...options.env,
  }
  for (const [name, def] of Object.entries(manifest.inputs ?? {})) {
    if (def?.default !== undefined) env[inputEnvName(name)] = evaluateDefault(def.default, env)
  }
  for (const [name, value] of Object.entries(options.inputs ?? {})) env[inputEnvName(name)] = String(value)
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value

  const started = Date.now()
  const child = spawn(options.node ?? process.execPath, [join(dir, entry)], {
    cwd: dirs.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c
    options.onStdout?.(c)
  })
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, options.timeoutMs ?? 120_000)
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res, rej) => {
    child.on('error', rej)
    child.on('close', (code, sig) => res([code, sig]))
  })
  clearTimeout(timer)

  const commands = parseStdout(stdout)
  return {
    exitCode,
    signal,
    timedOut,
    stdout,
    stderr,
    outputs: parseFileCommand(readFileSync(files.output, 'utf8')),
    state: parseFileCommand(readFileSync(files.state, 'utf8')),
    exportedEnv: parseFileCommand(readFileSync(files.env, 'utf8')),
    path: parsePathFile(readFileSync(files.path, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
    annotations: commands.annotations,
    errors: commands.annotations.filter((a) => a.level === 'error').map((a) => a.message),
    warnings: commands.annotations.filter((a) => a.level === 'warning').map((a) => a.message),
    masks: commands.masks,
    groups: commands.groups,
    log: commands.log,
    dirs,
    durationMs: Date.now() - started,
  }
}

/** The action folder of one of ours: actionDir('report-to-gerrit'). */
export function actionDir(name: string): string {
  return join(repoRoot, 'actions', name)
}

/**
 * Fails when a secret appears anywhere a user could see it: stdout (other than the add-mask
 * command itself), stderr, outputs, the summary, or the files under the given directories.
 */
export function findLeaks(run: ActionRun, secrets: string[], files: string[] = []): string[] {
  const places: [string, string][] = [
    [
      'stdout',
      run.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ],
    ['stderr', run.stderr],
    ['summary', run.summary],
    ...Object.entries(run.outputs).map(([k, v]): [string, string] => [`output ${k}`, v]),
    ...files.map((f): [string, string] => [f, readFileSync(f, 'utf8')]),
  ]
  const leaks: string[] = []
  for (const secret of secrets.filter((s) => s.length >= 4)) {
    for (const [where, text] of places) if (text.includes(secret)) leaks.push(`${where} contains a secret`)
  }
  return leaks
}
