import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { nodeExec } from '@stackci/exec'
import { ContractError } from '@stackci/model'
import { describe, expect, it } from 'vitest'
import {
  cloneDevstack,
  fetchPlugins,
  fetchRequiredProjects,
  missingTempestPlugins,
  missingProjects,
  parseJob,
  placeProjects,
  shouldErrorOnClone,
} from '../src/index.js'
import { commitFiles, git, makePlugin, makeRepo, tempDir } from './git-fixtures.js'

const PASSWORDS = {
  ADMIN_PASSWORD: 'aaaa',
  DATABASE_PASSWORD: 'bbbb',
  RABBIT_PASSWORD: 'cccc',
  SERVICE_PASSWORD: 'dddd',
}

/** A project checkout like actions/checkout leaves for a pull request: detached at a merge commit. */
function prCheckout(root: string): { dir: string; merge: string } {
  const dir = makeRepo(join(root, 'work', 'ironic'), { 'setup.cfg': '[metadata]\nname = ironic\n' })
  git(dir, 'tag', '-a', '24.1.0', '-m', '24.1.0')
  commitFiles(dir, { 'ironic/driver.py': 'base\n' }, 'base driver')
  git(dir, 'checkout', '-q', '-b', 'change')
  commitFiles(dir, { 'ironic/redfish.py': 'change\n' }, 'the change under test')
  git(dir, 'checkout', '-q', 'master')
  commitFiles(dir, { README: 'other\n' }, 'merged meanwhile')
  git(dir, 'merge', '-q', '--no-ff', '-m', 'Merge change', 'change')
  const merge = git(dir, 'rev-parse', 'HEAD')
  // As for a pull request's merge ref: HEAD detached at a merge commit that no branch holds.
  git(dir, 'checkout', '-q', '--detach')
  git(dir, 'branch', '-q', '-f', 'master', 'HEAD~1')
  return { dir, merge }
}

describe('placing the change under test', () => {
  it('puts the checkout in $DEST/<name> with its history, tags and the exact commit', async () => {
    const root = tempDir()
    const { dir, merge } = prCheckout(root)
    const dest = join(root, 'opt', 'stack')
    mkdirSync(dest, { recursive: true })
    const job = parseJob({ localrc: PASSWORDS, projects: { 'openstack/ironic': 'work/ironic' } })
    const [placed] = await placeProjects(job.projects, {
      dest,
      branch: 'stable/2024.1',
      baseDir: root,
      exec: nodeExec,
    })
    expect(placed).toMatchObject({
      name: 'openstack/ironic',
      dest: join(dest, 'ironic'),
      sha: merge,
      warnings: [],
    })
    const target = join(dest, 'ironic')
    expect(git(target, 'rev-parse', 'HEAD')).toBe(merge)
    expect(git(target, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('stable/2024.1')
    expect(git(target, 'describe', '--tags', '--abbrev=0')).toBe('24.1.0') // pbr's version source
    expect(Number(git(target, 'rev-list', '--count', 'HEAD'))).toBe(
      Number(git(dir, 'rev-list', '--count', 'HEAD')),
    )
    expect(git(target, 'status', '--porcelain')).toBe('')
    expect(existsSync(join(target, 'ironic', 'redfish.py'))).toBe(true)
  })

  it('reads a checkout owned by another user (the runner’s workspace, as root)', async () => {
    const root = tempDir()
    const { dir, merge } = prCheckout(root)
    execFileSync('chown', ['-R', '65534:65534', dir])
    const dest = join(root, 'dest')
    mkdirSync(dest)
    const job = parseJob({ localrc: PASSWORDS, projects: { 'openstack/ironic': dir } })
    const [placed] = await placeProjects(job.projects, {
      dest,
      branch: 'master',
      baseDir: root,
      exec: nodeExec,
    })
    expect(placed!.sha).toBe(merge)
  })

  it('replaces an earlier placement, warns about uncommitted and shallow checkouts', async () => {
    const root = tempDir()
    const { dir } = prCheckout(root)
    writeFileSync(join(dir, 'setup.cfg'), 'edited\n')
    const shallow = join(root, 'shallow')
    git(root, 'clone', '-q', '--depth', '1', `file://${dir}`, shallow)
    const dest = join(root, 'dest')
    mkdirSync(dest)
    const job = parseJob({
      localrc: PASSWORDS,
      projects: { 'openstack/ironic': dir, 'openstack/ironic-lib': shallow },
    })
    const opts = { dest, branch: 'master', baseDir: root, exec: nodeExec }
    await placeProjects(job.projects, opts)
    const again = await placeProjects(job.projects, opts)
    expect(again[0]!.warnings).toEqual([expect.stringContaining('uncommitted changes')])
    expect(again[1]!.warnings).toEqual([expect.stringContaining('shallow clone')])
    expect(git(join(dest, 'ironic-lib'), 'rev-parse', 'HEAD')).toBe(git(shallow, 'rev-parse', 'HEAD'))
  })

  it('refuses a missing checkout, a non-git directory, and overwriting a non-git $DEST entry', async () => {
    const root = tempDir()
    const dest = join(root, 'dest')
    mkdirSync(join(dest, 'nova'), { recursive: true })
    mkdirSync(join(root, 'plain'))
    const opts = { dest, branch: 'master', baseDir: root, exec: nodeExec }
    const place = (projects: Record<string, string>) =>
      placeProjects(parseJob({ localrc: PASSWORDS, projects }).projects, opts)
    await expect(place({ 'openstack/ironic': 'nope' })).rejects.toThrow(
      /projects.openstack\/ironic: checkout .* does not exist/,
    )
    await expect(place({ 'openstack/ironic': 'plain' })).rejects.toThrow(/is not a git checkout/)
    makeRepo(join(root, 'nova'), { a: 'b' })
    await expect(place({ 'openstack/nova': 'nova' })).rejects.toThrow(ContractError)
    await expect(place({ 'openstack/nova': 'nova' })).rejects.toThrow(/exists and is not a git checkout/)
  })

  it('turns ERROR_ON_CLONE on only when every required project is in place', async () => {
    const root = tempDir()
    const dest = join(root, 'dest')
    makeRepo(join(dest, 'nova'), { a: 'b' })
    makePlugin(join(dest, 'ironic'), 'ironic')
    const job = parseJob({
      localrc: PASSWORDS,
      required_projects: ['openstack/nova', 'openstack/ironic', 'openstack/virtualbmc'],
      plugins: { ironic: 'https://opendev.org/openstack/ironic' },
    })
    expect(missingProjects(job, dest)).toEqual(['virtualbmc'])
    expect(shouldErrorOnClone(job, missingProjects(job, dest))).toBe(false)
    makeRepo(join(dest, 'virtualbmc'), { a: 'b' })
    expect(shouldErrorOnClone(job, missingProjects(job, dest))).toBe(true)
    // Without required_projects stackci cannot know what devstack will clone: leave cloning on.
    const bare = parseJob({ localrc: PASSWORDS })
    expect(shouldErrorOnClone(bare, missingProjects(bare, dest))).toBe(false)
    // The list the caller found decides, whatever $DEST holds by now.
    expect(shouldErrorOnClone(job, ['virtualbmc'])).toBe(false)
  })

  it('finds a project written with a trailing slash in $DEST/<short name>', () => {
    const dest = join(tempDir(), 'dest')
    makeRepo(join(dest, 'nova'), { a: 'b' })
    makeRepo(join(dest, 'nova-tempest-plugin'), { a: 'b' })
    const job = parseJob({
      localrc: PASSWORDS,
      required_projects: ['openstack/nova/'],
      projects: { 'openstack/nova-tempest-plugin/': '.' },
      tempest_plugins: ['openstack/nova-tempest-plugin/'],
    })
    expect(missingProjects(job, dest)).toEqual([])
    expect(missingTempestPlugins(job, dest)).toEqual([])
    expect(shouldErrorOnClone(job, missingProjects(job, dest))).toBe(true)
  })
})

describe('devstack and plugin checkouts', () => {
  function devstackRemote(root: string): string {
    const repo = makeRepo(join(root, 'devstack-src'), { 'stack.sh': '#!/bin/bash\necho master\n' })
    git(repo, 'checkout', '-q', '-b', 'stable/2024.1')
    commitFiles(repo, { 'stack.sh': '#!/bin/bash\necho 2024.1\n' }, 'stable 2024.1')
    git(repo, 'checkout', '-q', '-b', 'unmaintained/zed', 'master')
    commitFiles(repo, { 'stack.sh': '#!/bin/bash\necho zed\n' }, 'zed')
    git(repo, 'tag', 'yoga-eol', 'HEAD')
    git(repo, 'checkout', '-q', 'master')
    return repo
  }

  it('checks out the branch, the unmaintained branch or the eol tag, and says when none exists', async () => {
    const root = tempDir()
    const remote = `file://${devstackRemote(root)}`
    const target = join(root, 'opt', 'devstack')
    const at = async (cands: string[]) => {
      const r = await cloneDevstack(remote, target, cands, nodeExec)
      return { ref: r.ref, head: git(target, 'show', 'HEAD:stack.sh').split('\n')[1] }
    }
    expect(await at(['stable/2024.1', 'unmaintained/2024.1', '2024.1-eol'])).toEqual({
      ref: 'stable/2024.1',
      head: 'echo 2024.1',
    })
    expect(await at(['stable/zed', 'unmaintained/zed', 'zed-eol'])).toEqual({
      ref: 'unmaintained/zed',
      head: 'echo zed',
    })
    expect(await at(['stable/yoga', 'unmaintained/yoga', 'yoga-eol'])).toEqual({
      ref: 'yoga-eol',
      head: 'echo zed',
    })
    expect(await at(['master'])).toEqual({ ref: 'master', head: 'echo master' })
    await expect(cloneDevstack(remote, target, ['stable/xena', 'xena-eol'], nodeExec)).rejects.toThrow(
      /branch: devstack .* has none of: stable\/xena, xena-eol/,
    )
    await expect(cloneDevstack(join(root, 'missing'), target, ['master'], nodeExec)).rejects.toThrow(
      /devstack-repo: cannot clone/,
    )
  })

  it('fetches plugins not in $DEST at their ref, or the matching branch, and leaves placed ones alone', async () => {
    const root = tempDir()
    const a = makePlugin(join(root, 'remotes', 'plugin-a'), 'plugin-a', ['plugin-b'])
    git(a, 'checkout', '-q', '-b', 'stable/2024.1')
    const stableSha = commitFiles(a, { 'devstack/plugin.sh': '# stable\n' }, 'stable')
    git(a, 'checkout', '-q', 'master')
    const b = makePlugin(join(root, 'remotes', 'plugin-b'), 'plugin-b')
    const bSha = git(b, 'rev-parse', 'HEAD')
    const dest = join(root, 'dest')
    makePlugin(join(dest, 'plugin-c'), 'plugin-c')
    const job = parseJob({
      localrc: PASSWORDS,
      plugins: {
        'plugin-a': `file://${a}`,
        'plugin-b': `file://${b}`,
        'plugin-c': 'https://unreachable.invalid/plugin-c',
      },
    })
    const fetched = await fetchPlugins(job.plugins, { dest, defaultRef: 'stable/2024.1', exec: nodeExec })
    expect(fetched.map((f) => [f.name, f.cloned])).toEqual([
      ['plugin-a', true],
      ['plugin-b', true],
      ['plugin-c', false],
    ])
    expect(fetched[0]!.sha).toBe(stableSha)
    expect(fetched[1]!.sha).toBe(bSha) // no stable branch: master
    // Required projects come the same way; a tempest plugin listed but not there is reported.
    const tp = makeRepo(join(root, 'remotes', 'x-tempest-plugin'), { 'setup.cfg': '' })
    const withRequired = parseJob({
      localrc: PASSWORDS,
      required_projects: [{ name: 'openstack/x-tempest-plugin', url: `file://${tp}` }, 'openstack/plugin-c'],
      tempest_plugins: ['x-tempest-plugin', 'y-tempest-plugin'],
    })
    expect(missingTempestPlugins(withRequired, dest)).toEqual(['x-tempest-plugin', 'y-tempest-plugin'])
    const req = await fetchRequiredProjects(withRequired.requiredProjects, {
      dest,
      defaultRef: 'stable/2024.1',
      exec: nodeExec,
    })
    expect(req.map((r) => [r.name, r.cloned])).toEqual([
      ['x-tempest-plugin', true],
      ['plugin-c', false],
    ])
    expect(req[0]!.sha).toBe(git(tp, 'rev-parse', 'HEAD'))
    expect(missingTempestPlugins(withRequired, dest)).toEqual(['y-tempest-plugin'])
    const unreachable = parseJob({
      localrc: PASSWORDS,
      required_projects: [{ name: 'openstack/nowhere', url: `file://${root}/no-such-repo` }],
    })
    await expect(
      fetchRequiredProjects(unreachable.requiredProjects, { dest, defaultRef: 'master', exec: nodeExec }),
    ).rejects.toThrow(/required_projects.openstack\/nowhere: cannot clone/)

    const bad = parseJob({
      localrc: PASSWORDS,
      plugins: { 'plugin-d': { url: `file://${a}`, ref: 'no-such-ref' } },
    })
    await expect(fetchPlugins(bad.plugins, { dest, defaultRef: 'master', exec: nodeExec })).rejects.toThrow(
      /plugins.plugin-d: .* has none of the refs no-such-ref/,
    )
    expect(existsSync(join(dest, 'plugin-d'))).toBe(false)
  })
})
