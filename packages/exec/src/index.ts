import { execFile } from 'node:child_process'

export interface ExecResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs a program without a shell; how stackci reaches git, chown, qemu-img and friends (tests may wrap it). */
export type Exec = (
  file: string,
  args: string[],
  options?: { cwd?: string; env?: NodeJS.ProcessEnv },
) => Promise<ExecResult>

export const nodeExec: Exec = (file, args, options = {}) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { ...options, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err)
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr })
      },
    )
  })

/** A command that exited non-zero; the message carries its stderr, which names the real cause. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: ExecResult,
  ) {
    super(`${command} failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`)
    this.name = 'CommandError'
  }
}

export async function run(exec: Exec, file: string, args: string[], cwd?: string): Promise<string> {
  const r = await exec(file, args, cwd ? { cwd } : {})
  if (r.code !== 0) throw new CommandError(`${file} ${args.join(' ')}`, r)
  return r.stdout
}
