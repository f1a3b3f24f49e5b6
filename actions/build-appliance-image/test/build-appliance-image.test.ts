import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GitHubReleasesBackend } from '@stackci/images'
import { actionDir, findLeaks, makeRunnerDirs, runAction } from '../../../test/harness/index.js'
import { startGitHubServer, type GitHubServer } from '../../../test/github-server/index.js'
import { makeQcow2, manifestFor, tempDir } from '../../../packages/images/test/qcow2-fixture.js'

let gh: GitHubServer

beforeEach(async () => {
  gh = await startGitHubServer({ repos: ['stackci/appliance'] })
})
afterEach(async () => {
  await gh.close()
})

async function publish(version: string) {
  const dir = tempDir()
  const img = makeQcow2(dir, 'src', 1)
  const manifest = await manifestFor(img, 'appliance', version)
  await new GitHubReleasesBackend({
    apiUrl: gh.urls.api,
    serverUrl: gh.urls.server,
    repository: 'stackci/appliance',
    token: 'test-token',
  }).publish({ imagePath: img, manifest })
  return { img, manifest }
}

function run(inputs: Record<string, string>, dirs = makeRunnerDirs()) {
  return runAction(actionDir('build-appliance-image'), {
    inputs: { 'publish-location': 'github:stackci/appliance', token: 'test-token', ...inputs },
    env: gh.env,
    dirs,
  })
}

describe('build-appliance-image reusing a published image', () => {
  it('reuses the latest for a change outside appliance-paths, via the tool cache, verified', async () => {
    await publish('1.0.0')
    const v2 = await publish('1.1.0')
    const dirs = makeRunnerDirs()
    const inputs = { 'changed-files': 'nova/api.py\ndoc/index.rst', 'appliance-paths': 'appliance/**' }
    const first = await run(inputs, dirs)
    expect(first.errors).toEqual([])
    expect(first.outputs).toMatchObject({
      'image-source': 'latest',
      version: '1.1.0',
      sha256: v2.manifest.sha256,
    })
    expect(first.outputs.reason).toMatch(/^none of the 2 changed files match appliance-paths/)
    expect(first.outputs['image-path']).toBe(
      join(dirs.toolCache, 'stackci-image-appliance', '0.0.0-v1-1-0', 'x64', 'appliance.qcow2'),
    )
    expect(readFileSync(first.outputs['image-path']!).equals(readFileSync(v2.img))).toBe(true)
    expect(JSON.parse(readFileSync(first.outputs['manifest-path']!, 'utf8')).version).toBe('1.1.0')
    expect(first.summary).toContain('Appliance image: latest')
    expect(findLeaks(first, ['test-token'])).toEqual([])

    const imageAsset = gh.state
      .repo('stackci', 'appliance')!
      .releases.at(-1)!
      .assets.find((a) => a.name === 'appliance.qcow2')!
    const imageDownloads = () =>
      gh.requests.filter((r) => r.path === `/_storage/release-assets/${imageAsset.id}`).length
    expect(imageDownloads()).toBe(1)
    const second = await run(inputs, dirs)
    expect(second.outputs['image-path']).toBe(first.outputs['image-path'])
    expect(second.log.join('\n')).toContain('from the tool cache (sha256 verified)')
    expect(imageDownloads()).toBe(1)
  })

  it('reuses a pinned version as a release', async () => {
    const v1 = await publish('1.0.0')
    await publish('1.1.0')
    const r = await run({ mode: 'prebuilt', version: '1.0.0' })
    expect(r.outputs).toMatchObject({
      'image-source': 'release',
      version: '1.0.0',
      sha256: v1.manifest.sha256,
    })
    expect(r.outputs.reason).toBe('mode is prebuilt: a published image is used')
  })

  it('fails on a tampered download, naming both digests, and deletes the bad file', async () => {
    await publish('1.0.0')
    gh.faults.tamperDownloads = /\.qcow2$/
    const dirs = makeRunnerDirs()
    const r = await run({ mode: 'prebuilt' }, dirs)
    expect(r.exitCode).toBe(1)
    expect(r.errors.join('\n')).toMatch(
      /has sha256 [0-9a-f]{64} .* says [0-9a-f]{64} .*the downloaded file was deleted/,
    )
    const entry = join(dirs.toolCache, 'stackci-image-appliance', '0.0.0-v1-0-0', 'x64')
    expect(existsSync(entry) ? readdirSync(entry).filter((f) => f.includes('qcow2')) : []).toEqual([])
    expect(r.outputs['image-path']).toBeUndefined()
  })

  it('names the bad input', async () => {
    expect((await run({ mode: 'sometimes' })).errors).toEqual([
      "input 'mode': mode must be auto, build or prebuilt, got 'sometimes'",
    ])
    expect((await run({ mode: 'build' })).errors.join('')).toContain(
      "input 'elements': building an image needs elements",
    )
    expect((await run({ mode: 'prebuilt', 'publish-location': '' })).errors.join('')).toContain(
      "input 'publish-location'",
    )
    const none = await run({ mode: 'prebuilt' })
    expect(none.errors.join('')).toContain(
      'no latest image published in GitHub releases of stackci/appliance',
    )
  })
})
