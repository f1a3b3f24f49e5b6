import { tmpdir } from 'node:os'
import { describe, expect, it } from 'vitest'
import { commitFiles, git, makeRepo, tempDir } from '../../devstack/test/git-fixtures.js'
import { main } from '../src/main.js'
import { testContext } from './support/context.js'

const context = (cwd: string) => testContext({ cwd })

/** A real repository: master with the appliance, a change branch touching the given files. */
function repo(files: Record<string, string>): string {
  const base = { 'appliance/agent.py': 'a = 1\n', 'doc/index.rst': 'docs\n', 'astara/api.py': 'x = 1\n' }
  const dir = makeRepo(tempDir('stackci-plan-'), base, 'base')
  git(dir, 'checkout', '-q', '-b', 'change')
  commitFiles(dir, files, 'change')
  // master moves on after the change branched: only the change's own files may count.
  git(dir, 'checkout', '-q', 'master')
  commitFiles(dir, { 'astara/unrelated.py': 'moved on\n' }, 'master moves')
  git(dir, 'checkout', '-q', 'change')
  return dir
}

const common = [
  '--base',
  'master',
  '--irrelevant-files',
  'doc/**,**/*.rst',
  '--appliance-paths',
  'appliance/**',
]

describe('stackci plan', () => {
  it('builds the image when the change touches the appliance', async () => {
    const dir = repo({ 'appliance/agent.py': 'a = 2\n' })
    const t = context(dir)
    expect(await main(['plan', ...common], t.ctx)).toBe(0)
    expect(t.out()).toBe(
      [
        '1 file(s) changed between master and HEAD',
        '',
        'run   openstack-tox-pep8: tox -e pep8 runs on every change',
        'run   openstack-tox-py3: tox -e py3 runs on every change',
        'run   devstack-tempest: 1 of 1 changed file(s) are not irrelevant-files',
        '',
        'image: build: the change touches the appliance (appliance/agent.py matches appliance-paths): the image is built from the change',
        '',
      ].join('\n'),
    )
  })

  it('reuses the published image for other changes and skips devstack for docs-only ones', async () => {
    const code = context(repo({ 'astara/api.py': 'x = 2\n' }))
    expect(await main(['plan', ...common, '--json'], code.ctx)).toBe(0)
    const plan = JSON.parse(code.out())
    expect(plan.changedFiles).toEqual(['astara/api.py'])
    expect(plan.image.action).toBe('prebuilt')

    const docs = context(repo({ 'doc/index.rst': 'more docs\n', 'doc/new.rst': 'new\n' }))
    expect(await main(['plan', ...common], docs.ctx)).toBe(0)
    expect(docs.out()).toContain(
      'skip  devstack-tempest: all 2 changed file(s) match irrelevant-files (doc/**, **/*.rst)',
    )
    expect(docs.out()).not.toContain('image:')
  })

  it('counts both paths of a moved file and takes non-ASCII paths as they are', async () => {
    const dir = repo({ 'doc/café.rst': 'menu\n' })
    git(dir, 'mv', 'appliance/agent.py', 'astara/agent.py')
    git(dir, 'commit', '-q', '-m', 'move the agent out of the appliance')
    const t = context(dir)
    expect(await main(['plan', ...common, '--json'], t.ctx)).toBe(0)
    const plan = JSON.parse(t.out())
    expect(plan.changedFiles).toEqual(['appliance/agent.py', 'astara/agent.py', 'doc/café.rst'])
    // Moving a file out of the appliance changes the appliance.
    expect(plan.image.action).toBe('build')
  })

  it("runs no devstack job with --devstack-job ''", async () => {
    const t = context(repo({ 'astara/api.py': 'x = 2\n' }))
    expect(await main(['plan', ...common, '--devstack-job', '', '--json'], t.ctx)).toBe(0)
    const plan = JSON.parse(t.out())
    expect(plan.jobs.map((j: { name: string }) => j.name)).toEqual([
      'openstack-tox-pep8',
      'openstack-tox-py3',
    ])
  })

  it('names a bad ref or repository', async () => {
    const dir = repo({ 'astara/api.py': 'x = 2\n' })
    const t = context(dir)
    expect(await main(['plan', '--base', 'nope'], t.ctx)).toBe(2)
    expect(t.err()).toMatch(/--base 'nope' is not a commit in /)
    const u = context(dir)
    expect(await main(['plan', '--base', '--output=x'], u.ctx)).toBe(2)
    const v = context(tmpdir())
    expect(await main(['plan', '--base', 'master', '--repo', tempDir('nogit-')], v.ctx)).toBe(2)
    expect(v.err()).toMatch(/is not a git repository/)
    const w = context(dir)
    expect(await main(['plan'], w.ctx)).toBe(2)
    expect(w.err()).toMatch(/--base is required/)
  })
})
