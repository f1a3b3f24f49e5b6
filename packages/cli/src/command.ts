import type { ParseArgsConfig } from 'node:util'

/** Where a command writes and what it may read; tests pass their own. */
export interface CommandContext {
  stdout: (text: string) => void
  stderr: (text: string) => void
  cwd: string
  env: NodeJS.ProcessEnv
  /** Set by Ctrl-C so long commands can stop cleanly. */
  signal: AbortSignal
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & {
  description: string
  valueName?: string
}

export interface Command {
  /** Words typed after `stackci`, e.g. ['gerrit', 'pending']. */
  name: string[]
  summary: string
  /** Positional arguments, e.g. 'STREAM'. */
  args?: string
  /** Longer help text shown under the usage line. */
  description?: string
  options: Record<string, OptionSpec>
  /** Returns the exit status. */
  run(parsed: ParsedArgs, ctx: CommandContext): Promise<number>
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>
  positionals: string[]
}

/** Bad command line: printed with the command's usage, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** Reads a string option, failing with the option's name when it is missing and required. */
export function stringOption(args: ParsedArgs, name: string, required: true): string
export function stringOption(args: ParsedArgs, name: string, required?: false): string | undefined
export function stringOption(args: ParsedArgs, name: string, required = false): string | undefined {
  const v = args.values[name]
  if (v === undefined || v === '') {
    if (required) throw new UsageError(`--${name} is required`)
    return undefined
  }
  if (typeof v !== 'string') throw new UsageError(`--${name} takes a value`)
  return v
}

export function intOption(args: ParsedArgs, name: string, fallback: number, min = 0): number {
  const v = stringOption(args, name)
  if (v === undefined) return fallback
  const n = Number(v)
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`)
  return n
}
