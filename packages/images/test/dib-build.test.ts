import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { dibArguments, dibEnvironment, dibRepoVariable, prepareSource } from '../src/dib-build.js'
import { tempDir } from './qcow2-fixture.js'

describe('diskimage-builder invocation', () => {
  it('mangles repository names as source-repositories does', () => {
    expect(dibRepoVariable('LOCATION', 'astara-appliance')).toBe('DIB_REPOLOCATION_astara_appliance')
    expect(dibRepoVariable('REF', 'diskimage-builder.x')).toBe('DIB_REPOREF_diskimage_builder_x')
  })

  it('builds the command line and environment, the caller having the last word', () => {
    const o = {
      imageName: 'appliance',
      version: '1',
      outputDir: '/out',
      elements: ['debian-minimal', 'baremetal', 'astara'],
      elementsPath: ['/src/elements', '/more'],
      imageSizeGb: 2,
      source: { repoName: 'astara', path: '/src' },
      env: { DIB_RELEASE: 'bookworm', ELEMENTS_PATH: '/override' },
    }
    expect(dibArguments(o)).toEqual([
      '-t',
      'qcow2',
      '-o',
      '/out/appliance',
      '--image-size',
      '2',
      'debian-minimal',
      'baremetal',
      'astara',
    ])
    expect(dibEnvironment(o, 'stackci-image-build')).toEqual({
      ELEMENTS_PATH: '/override',
      DIB_REPOLOCATION_astara: '/src',
      DIB_REPOREF_astara: 'stackci-image-build',
      DIB_RELEASE: 'bookworm',
    })
    expect(() => dibArguments({ ...o, elements: [] })).toThrow('elements: at least one element')
  })

  it('makes a detached checkout reachable through a branch', async () => {
    const repo = tempDir()
    const git = (...a: string[]) => execFileSync('git', ['-C', repo, ...a], { encoding: 'utf8' }).trim()
    git('init', '-q')
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'one')
    const sha = git('rev-parse', 'HEAD')
    git('checkout', '-q', '--detach', sha)
    const r = await prepareSource({ repoName: 'x', path: repo })
    expect(r).toEqual({ ref: 'stackci-image-build', commit: sha })
    expect(git('rev-parse', 'refs/heads/stackci-image-build')).toBe(sha)
    await expect(prepareSource({ repoName: 'x', path: tempDir() })).rejects.toThrow(/is not a git checkout/)
  })
})
