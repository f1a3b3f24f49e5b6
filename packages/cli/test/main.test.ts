import { describe, expect, it } from 'vitest'
import { UsageError, stringOption, type Command } from '../src/command.js'
import { main } from '../src/main.js'
import { testContext } from './support/context.js'

const context = () => testContext()

const echo: Command = {
  name: ['gerrit', 'echo'],
  summary: 'Echo a value',
  args: 'WORD',
  options: { to: { type: 'string', description: 'who', valueName: 'NAME' } },
  async run(args, ctx) {
    if (args.positionals.length !== 1) throw new UsageError('expected one WORD')
    ctx.stdout(`${args.positionals[0]} ${stringOption(args, 'to', true)}\n`)
    return 0
  },
}

describe('stackci command line', () => {
  it('runs a multi-word command', async () => {
    const t = context()
    expect(await main(['gerrit', 'echo', 'hi', '--to', 'you'], t.ctx, [echo])).toBe(0)
    expect(t.out()).toBe('hi you\n')
  })
  it('names the bad argument and shows usage', async () => {
    const t = context()
    expect(await main(['gerrit', 'echo', 'hi', '--from', 'x'], t.ctx, [echo])).toBe(2)
    expect(t.err()).toMatch(/Unknown option '--from'/)
    expect(t.err()).toMatch(/Usage: stackci gerrit echo WORD/)
    const t2 = context()
    expect(await main(['gerrit', 'echo', 'hi'], t2.ctx, [echo])).toBe(2)
    expect(t2.err()).toMatch(/--to is required/)
  })
  it('lists commands and rejects unknown ones', async () => {
    const t = context()
    expect(await main(['nope'], t.ctx, [echo])).toBe(2)
    expect(t.err()).toMatch(/unknown command 'nope'/)
    expect(t.err()).toMatch(/gerrit echo +Echo a value/)
  })
})
