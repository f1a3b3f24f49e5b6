import { parseArgs } from 'node:util'
import { UsageError, type Command, type CommandContext } from './command.js'
import { commands } from './commands/index.js'

function defaultContext(): CommandContext {
  const controller = new AbortController()
  process.once('SIGINT', () => controller.abort(new Error('interrupted')))
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    signal: controller.signal,
  }
}

function findCommand(argv: string[], list: Command[]): { command?: Command; rest: string[] } {
  // The longest matching word sequence wins, so `gerrit report` beats a bare `gerrit`.
  let best: Command | undefined
  for (const c of list) {
    if (c.name.every((w, i) => argv[i] === w) && (!best || c.name.length > best.name.length)) best = c
  }
  return { command: best, rest: best ? argv.slice(best.name.length) : argv }
}

export function usage(c: Command): string {
  const lines = [`Usage: stackci ${c.name.join(' ')}${c.args ? ' ' + c.args : ''} [options]`, '', c.summary]
  if (c.description) lines.push('', c.description.trim())
  const opts = Object.entries(c.options)
  lines.push('', 'Options:')
  for (const [name, o] of opts) {
    const flag = `  ${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`
    lines.push(
      `${flag.padEnd(30)} ${o.description}${o.default !== undefined ? ` (default: ${String(o.default)})` : ''}`,
    )
  }
  lines.push(`${'  -h, --help'.padEnd(30)} show this help`)
  return lines.join('\n') + '\n'
}

export function overview(list: Command[]): string {
  const width = Math.max(10, ...list.map((c) => c.name.join(' ').length)) + 2
  return [
    'Usage: stackci <command> [options]',
    '',
    'OpenStack-style CI steps, runnable locally with the same code the GitHub Actions use.',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.name.join(' ').padEnd(width)} ${c.summary}`),
    '',
    'Run `stackci <command> --help` for the options of one command.',
    '',
  ].join('\n')
}

export async function main(
  argv: string[],
  ctx: CommandContext = defaultContext(),
  list = commands,
): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    ctx.stdout(overview(list))
    return argv.length === 0 ? 2 : 0
  }
  const { command, rest } = findCommand(argv, list)
  if (!command) {
    ctx.stderr(
      `stackci: unknown command '${argv.filter((a) => !a.startsWith('-')).join(' ')}'\n\n${overview(list)}`,
    )
    return 2
  }
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      ctx.stdout(usage(command))
      return 0
    }
    let parsed
    try {
      parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true })
    } catch (e) {
      throw new UsageError((e as Error).message.replace(/\. To specify a positional.*$/s, ''))
    }
    return await command.run(parsed as never, ctx)
  } catch (e) {
    if (e instanceof UsageError) {
      ctx.stderr(`stackci ${command.name.join(' ')}: ${e.message}\n\n${usage(command)}`)
      return 2
    }
    ctx.stderr(`stackci ${command.name.join(' ')}: ${(e as Error).message ?? String(e)}\n`)
    if (ctx.env.STACKCI_DEBUG) ctx.stderr(`${(e as Error).stack}\n`)
    return 1
  }
}
