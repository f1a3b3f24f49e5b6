import type { CommandContext } from '../../src/command.js'

/** A CommandContext that captures what a command prints, for driving main() in tests. */
export function testContext(opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const out: string[] = []
  const err: string[] = []
  const ctx: CommandContext = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env ?? {},
    signal: new AbortController().signal,
  }
  return { ctx, out: () => out.join(''), err: () => err.join('') }
}
