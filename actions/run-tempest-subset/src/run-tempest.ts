import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import type { TempestSelection } from './inputs.js'

export interface TempestRun {
  exitCode: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  /** Why tempest could not start at all (not on PATH, not executable). */
  spawnError?: string
  /** The end of what tempest wrote to stderr, for the job result's error detail. */
  stderrTail: string
  start: Date
  end: Date
}

/** `tempest run` arguments for a selection (tempest/cmd/run.py options). */
export function tempestArgs(sel: TempestSelection): string[] {
  const args = ['run', '--subunit']
  if (sel.workspace) args.push('--workspace', sel.workspace)
  if (sel.regex) args.push('--regex', sel.regex)
  if (sel.includeList) args.push('--include-list', sel.includeList)
  if (sel.excludeList) args.push('--exclude-list', sel.excludeList)
  if (sel.serial) args.push('--serial')
  else if (sel.concurrency > 0) args.push('--concurrency', String(sel.concurrency))
  return args
}

const KILL_GRACE_MS = 10_000

/**
 * Runs `tempest run --subunit` in its own process group with stdout going straight to the stream
 * file, so whatever was written survives a timeout: the whole group (tempest, stestr, workers) is
 * sent SIGTERM, then SIGKILL after a grace period.
 */
export async function runTempest(
  sel: TempestSelection,
  subunitPath: string,
  onStderr: (line: string) => void,
): Promise<TempestRun> {
  const out = openSync(subunitPath, 'w')
  const start = new Date()
  let stderrTail = ''
  let timedOut = false
  const child = spawn('tempest', tempestArgs(sel), {
    cwd: sel.directory,
    detached: true,
    stdio: ['ignore', out, 'pipe'],
  })
  closeSync(out)
  let partial = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000)
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    for (const l of lines) onStderr(l)
  })
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal)
    } catch {
      // The group is already gone.
    }
  }
  let grace: NodeJS.Timeout | undefined
  const timer =
    sel.timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true
          onStderr(`run-tempest-subset: timeout after ${sel.timeoutMs / 60_000} min, stopping tempest`)
          killGroup('SIGTERM')
          grace = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS)
        }, sel.timeoutMs)
      : undefined
  const result = await new Promise<Pick<TempestRun, 'exitCode' | 'signal' | 'spawnError'>>((resolve) => {
    child.on('error', (e) => resolve({ exitCode: null, signal: null, spawnError: e.message }))
    child.on('close', (exitCode, signal) => resolve({ exitCode, signal }))
  })
  clearTimeout(timer)
  clearTimeout(grace)
  // Workers that ignored SIGTERM must not outlive the step.
  if (timedOut) killGroup('SIGKILL')
  if (partial) onStderr(partial)
  return { ...result, timedOut, stderrTail, start, end: new Date() }
}
