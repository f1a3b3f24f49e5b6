import { spawn } from 'node:child_process'
import { CommandError } from './errors.js'

export interface RunOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Each line of stdout and stderr as it comes (build logs are streamed, not buffered). */
  onLine?: (line: string) => void
  signal?: AbortSignal
}

/** How image code runs programs; tests and the CLI can pass their own. */
export type ProcessRunner = (
  command: string,
  args: string[],
  options?: RunOptions,
) => Promise<{ exitCode: number | null; tail: string[] }>

/** Runs a program, streaming its output line by line and keeping the last lines for error messages. */
export const runProcess: ProcessRunner = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    })
    const tail: string[] = []
    const feed = (stream: NodeJS.ReadableStream) => {
      let pending = ''
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => {
        pending += chunk
        const lines = pending.split('\n')
        pending = lines.pop() ?? ''
        for (const l of lines) emit(l)
      })
      stream.on('end', () => pending && emit(pending))
    }
    const emit = (line: string) => {
      tail.push(line)
      if (tail.length > 40) tail.shift()
      options.onLine?.(line)
    }
    feed(child.stdout)
    feed(child.stderr)
    child.on('error', (e) => reject(new CommandError(command, null, e.message)))
    child.on('close', (code) => resolve({ exitCode: code, tail }))
  })

/** Runs a program that must succeed and returns its stdout, trimmed. */
export async function capture(
  runner: ProcessRunner,
  command: string,
  args: string[],
  options: RunOptions = {},
): Promise<string> {
  const lines: string[] = []
  const { exitCode, tail } = await runner(command, args, { ...options, onLine: (l) => lines.push(l) })
  if (exitCode !== 0)
    throw new CommandError(`${command} ${args.join(' ')}`, exitCode, tail.slice(-5).join('\n'))
  return lines.join('\n').trim()
}
