import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readManifest, SINGLE_FILESYSTEM_BLOCK_DEVICE } from '@stackci/images'
import {
  actionDir,
  makeRunnerDirs,
  runAction,
  type ActionRun,
  type RunnerDirs,
} from '../../../test/harness/index.js'
import { startGitHubServer, type GitHubServer } from '../../../test/github-server/index.js'
import { tempDir } from '../../../packages/images/test/qcow2-fixture.js'

/**
 * The real thing: diskimage-builder builds a Debian bookworm image holding the appliance from a
 * local git checkout (the "change"), boot-check boots it under qemu until the appliance prints its
 * line, publish-latest-image publishes it to the GitHub test server, and build-appliance-image
 * reuses it from there. About 4 minutes here (debootstrap from the mirror, a TCG boot).
 */
const ELEMENTS = resolve(import.meta.dirname, '../../../test/fixtures/dib-elements')
// The mirror apt uses on this machine (/etc/apt/sources.list.d/debian.sources).
const MIRROR = 'http://deb.debian.org'
const DIB_ENV = [
  'DIB_RELEASE=bookworm',
  'DIB_APT_SOURCES_CONF<<END_APT',
  `default:deb ${MIRROR}/debian bookworm main`,
  `updates:deb ${MIRROR}/debian bookworm-updates main`,
  `security:deb ${MIRROR}/debian-security bookworm-security main`,
  'END_APT',
  'DIB_BLOCK_DEVICE_CONFIG<<END_YAML',
  SINGLE_FILESYSTEM_BLOCK_DEVICE.trimEnd(),
  'END_YAML',
].join('\n')

let gh: GitHubServer
let change: { dir: string; sha: string; version: string }
let build: ActionRun
let dirs: RunnerDirs

function appliance(): { dir: string; sha: string; version: string } {
  const dir = join(tempDir('stackci-appliance-'), 'appliance')
  mkdirSync(join(dir, 'bin'), { recursive: true })
  const version = `change-${Date.now().toString(36)}`
  writeFileSync(join(dir, 'VERSION'), `${version}\n`)
  writeFileSync(
    join(dir, 'bin', 'stackci-appliance'),
    '#!/bin/sh\necho "stackci-appliance $(cat /opt/stackci-appliance/VERSION) ready"\n',
  )
  chmodSync(join(dir, 'bin', 'stackci-appliance'), 0o755)
  const git = (...a: string[]) => execFileSync('git', ['-C', dir, ...a], { encoding: 'utf8' }).trim()
  git('init', '-q')
  git('add', '.')
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'the change under test')
  const sha = git('rev-parse', 'HEAD')
  // actions/checkout leaves a detached HEAD; the action must make it reachable itself.
  git('checkout', '-q', '--detach', sha)
  return { dir, sha, version }
}

beforeAll(async () => {
  gh = await startGitHubServer({ repos: ['stackci/appliance'] })
  change = appliance()
  dirs = makeRunnerDirs()
  build = await runAction(actionDir('build-appliance-image'), {
    dirs,
    timeoutMs: 15 * 60_000,
    inputs: {
      'changed-files': 'appliance/bin/stackci-appliance\nREADME.rst',
      'appliance-paths': 'appliance/**',
      elements: 'debian-minimal baremetal stackci-appliance',
      'elements-path': ELEMENTS,
      'image-name': 'appliance',
      'image-size': '2',
      'repo-name': 'stackci-appliance',
      'source-path': change.dir,
      'dib-env': DIB_ENV,
      'build-version': '2026.11.21-1',
      'boot-marker': `stackci-appliance ${change.version} ready`,
    },
  })
}, 15 * 60_000)

afterAll(async () => {
  await gh?.close()
  // The image, its kernel and initrd, and the tool cache copy: half a gigabyte per run.
  if (dirs) rmSync(dirs.root, { recursive: true, force: true })
  if (change) rmSync(dirname(change.dir), { recursive: true, force: true })
})

describe('a real appliance image', () => {
  it('is built from the change with diskimage-builder', () => {
    expect(build.errors).toEqual([])
    expect(build.exitCode).toBe(0)
    expect(build.outputs['image-source']).toBe('built')
    expect(build.outputs.reason).toContain('appliance/bin/stackci-appliance matches appliance-paths')
    const image = build.outputs['image-path']!
    expect(execFileSync('qemu-img', ['info', '--output=json', image], { encoding: 'utf8' })).toContain(
      '"format": "qcow2"',
    )
    expect(execFileSync('sha256sum', [image], { encoding: 'utf8' }).split(' ')[0]).toBe(build.outputs.sha256)
    expect(existsSync(build.outputs['kernel-path']!)).toBe(true)
    expect(build.groups).toEqual(
      expect.arrayContaining(['disk-image-create: root.d', 'disk-image-create: install.d', 'boot-check']),
    )
  })

  it('writes a manifest naming the change, the elements and diskimage-builder', async () => {
    const m = await readManifest(build.outputs['manifest-path']!)
    expect(m).toMatchObject({
      name: 'appliance',
      version: '2026.11.21-1',
      sourceCommit: change.sha,
      elements: ['debian-minimal', 'baremetal', 'stackci-appliance'],
      diskimageBuilderVersion: execFileSync('disk-image-create', ['--version'], { encoding: 'utf8' }).trim(),
      format: 'qcow2',
      sha256: build.outputs.sha256,
    })
  })

  it('boots to the line the appliance from the change prints', () => {
    expect(build.summary).toMatch(new RegExp(`(kvm|tcg), "stackci-appliance ${change.version} ready"`))
    expect(build.log.join('\n')).toContain(`stackci-appliance ${change.version} ready`)
  })

  it('is published as latest and then reused, verified, by the next job', async () => {
    const pub = await runAction(actionDir('publish-latest-image'), {
      dirs: { root: join(dirs.root, 'publish-job') },
      timeoutMs: 5 * 60_000,
      inputs: {
        'image-path': build.outputs['image-path']!,
        token: 'test-token',
        'publish-location': 'github:stackci/appliance',
      },
      env: gh.env,
    })
    expect(pub.errors).toEqual([])
    expect(pub.outputs.version).toBe('2026.11.21-1')
    const reuse = await runAction(actionDir('build-appliance-image'), {
      dirs: { root: join(dirs.root, 'next-job') },
      timeoutMs: 5 * 60_000,
      inputs: {
        'changed-files': 'doc/index.rst',
        'appliance-paths': 'appliance/**',
        'publish-location': 'github:stackci/appliance',
      },
      env: gh.env,
    })
    expect(reuse.errors).toEqual([])
    expect(reuse.outputs).toMatchObject({
      'image-source': 'latest',
      version: '2026.11.21-1',
      sha256: build.outputs.sha256,
    })
  })
})
