import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { findLeaks, inputEnvName, parseFileCommand, parseStdout, runAction } from './harness/index.js'

const probe = join(import.meta.dirname, 'fixtures/actions/probe')

describe('runner harness', () => {
  it('mangles input names as the runner does', () => {
    expect(inputEnvName('multi line')).toBe('INPUT_MULTI_LINE')
    expect(inputEnvName('sleep-ms')).toBe('INPUT_SLEEP-MS')
  })

  it('returns outputs, state, env, path, summary and annotations', async () => {
    const run = await runAction(probe, {
      inputs: { 'multi line': 'there', password: 's3cr3t-value' },
      env: { GITHUB_TOKEN: 'job-token' },
    })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.greeting).toBe('hello there')
    expect(run.outputs.lines).toBe('one\ntwo\n\nfour')
    expect(run.outputs.token).toBe('job-token')
    expect(run.state).toEqual({ started: 'yes' })
    expect(run.exportedEnv).toEqual({ PROBE_VAR: 'x=y' })
    expect(run.path).toEqual(['/opt/probe/bin'])
    expect(run.summary).toContain('<h1>Probe</h1>')
    expect(run.summary).toContain(`workspace ${run.dirs.workspace}`)
    expect(run.annotations).toEqual([
      { level: 'warning', message: 'careful, 50% done', properties: { title: 'a: b, c' } },
    ])
    expect(run.masks).toEqual(['s3cr3t-value'])
    expect(run.groups).toEqual(['work'])
    expect(run.log).toContain(`plain log line in ${run.dirs.workspace}`)
    expect(findLeaks(run, ['s3cr3t-value'])).toEqual([])
    expect(findLeaks(run, ['job-token'])).toEqual(['output token contains a secret'])
  })

  it('reports failure with the exit code and the error annotation', async () => {
    const run = await runAction(probe, { inputs: { fail: true } })
    expect(run.exitCode).toBe(1)
    expect(run.errors).toEqual(['probe failed\nsecond line'])
  })

  it('runs the post entry with the state of the main run', async () => {
    const main = await runAction(probe)
    const post = await runAction(probe, { entry: 'post', state: main.state })
    expect(post.outputs['post-saw']).toBe('yes')
  })

  it('kills an action that runs past its time', async () => {
    const run = await runAction(probe, { inputs: { 'sleep-ms': 10_000 }, timeoutMs: 500 })
    expect(run.timedOut).toBe(true)
    expect(run.signal).toBe('SIGKILL')
  })

  it('does not leak this process environment into the action', async () => {
    process.env.STACKCI_SHOULD_NOT_LEAK = '1'
    try {
      const run = await runAction(probe)
      expect(run.exitCode).toBe(0)
      expect(run.outputs.leak).toBe('')
    } finally {
      delete process.env.STACKCI_SHOULD_NOT_LEAK
    }
  })
})

describe('command parsers', () => {
  it('read both file-command formats and reject unterminated heredocs', () => {
    expect(parseFileCommand('a=1\nb<<EOF\nx\ny\nEOF\na=2\n')).toEqual({ a: '2', b: 'x\ny' })
    expect(() => parseFileCommand('b<<EOF\nx\n')).toThrow(/no closing delimiter/)
  })
  it('unescape annotation data and properties', () => {
    const p = parseStdout('::error file=a%2Cb.py,line=3::100%25 broken%0Anext\nhello')
    expect(p.annotations[0]).toEqual({
      level: 'error',
      message: '100% broken\nnext',
      properties: { file: 'a,b.py', line: '3' },
    })
    expect(p.log).toEqual(['hello'])
  })
  it('read commands between ::stop-commands:: and its token as plain log', () => {
    const p = parseStdout('::stop-commands::tok1\n::error::forged\n::tok1::\n::warning::real')
    expect(p.annotations).toEqual([{ level: 'warning', message: 'real', properties: {} }])
    expect(p.log).toEqual(['::error::forged'])
  })
})
