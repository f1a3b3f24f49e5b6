import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../scripts/lib/repo.js'
import { parseFileCommand } from './harness/index.js'

/** post.yml's guard, run by bash in a real repository: only a push touching the appliance publishes. */
const wf = parse(readFileSync(join(repoRoot, 'workflows/post.yml'), 'utf8')) as {
  jobs: Record<string, { steps: { name?: string; run?: string }[] }>
}
const script = wf.jobs.publish!.steps.find((s) => s.name === 'Did the push touch the appliance?')!.run!

function push(files: Record<string, string>, appliancePaths: string, before?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'stackci-post-'))
  const g = (...a: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...a], {
      cwd: dir,
      encoding: 'utf8',
    }).trim()
  const write = (f: Record<string, string>) => {
    for (const [p, t] of Object.entries(f)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true })
      writeFileSync(join(dir, p), t)
    }
  }
  g('init', '-q')
  write({ 'appliance/agent/main.py': '1\n', 'README.md': 'x\n' })
  g('add', '-A')
  g('commit', '-q', '-m', 'one')
  const first = g('rev-parse', 'HEAD')
  write(files)
  g('add', '-A')
  g('commit', '-q', '-m', 'two')
  const out = join(dir, '.out')
  writeFileSync(out, '')
  const summary = join(dir, '.summary')
  const r = spawnSync('bash', ['-e', '-c', script], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      GITHUB_OUTPUT: out,
      GITHUB_STEP_SUMMARY: summary,
      APPLIANCE_PATHS: appliancePaths,
      BEFORE: before ?? first,
    },
  })
  return { status: r.status, stderr: r.stderr, touched: parseFileCommand(readFileSync(out, 'utf8')).touched }
}

describe('post.yml publishes only after a push that touches the appliance', () => {
  it('decides from the pushed commits and appliance-paths', () => {
    expect(push({ 'appliance/agent/main.py': '2\n' }, 'appliance/**\nelements/**')).toMatchObject({
      status: 0,
      touched: 'true',
    })
    expect(push({ 'README.md': 'y\n' }, 'appliance/**\nelements/**')).toMatchObject({
      status: 0,
      touched: 'false',
    })
    expect(push({ 'README.md': 'y\n' }, 'appliance/**, **/*.md')).toMatchObject({ touched: 'true' })
  })
  it('builds when it cannot tell: no paths, a regex, or no previous commit', () => {
    expect(push({ 'README.md': 'y\n' }, '').touched).toBe('true')
    expect(push({ 'README.md': 'y\n' }, '^appliance/.*').touched).toBe('true')
    expect(push({ 'README.md': 'y\n' }, 'appliance/**', '0'.repeat(40)).touched).toBe('true')
  })
})
