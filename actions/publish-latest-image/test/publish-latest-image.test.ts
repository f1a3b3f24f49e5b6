import { readFileSync, readlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { manifestJson } from '@stackci/images'
import { actionDir, findLeaks, runAction } from '../../../test/harness/index.js'
import { startGitHubServer, type GitHubServer } from '../../../test/github-server/index.js'
import { makeQcow2, manifestFor, tempDir } from '../../../packages/images/test/qcow2-fixture.js'

let gh: GitHubServer

beforeEach(async () => {
  gh = await startGitHubServer({ repos: ['stackci/appliance'] })
})
afterEach(async () => {
  await gh.close()
})

/** What build-appliance-image leaves: <dir>/appliance.qcow2 and <dir>/appliance.manifest.json. */
async function built(version: string, megabytes = 1) {
  const dir = tempDir()
  const img = makeQcow2(dir, 'appliance', megabytes)
  const manifest = await manifestFor(img, 'appliance', version)
  writeFileSync(join(dir, 'appliance.manifest.json'), manifestJson(manifest))
  return { img, manifest }
}

function publish(imagePath: string, inputs: Record<string, string> = {}) {
  return runAction(actionDir('publish-latest-image'), {
    inputs: { 'image-path': imagePath, token: 'test-token', 'target-commitish': 'b'.repeat(40), ...inputs },
    env: { ...gh.env, GITHUB_REPOSITORY: 'stackci/appliance' },
  })
}

async function latestBytes(): Promise<Buffer> {
  const res = await fetch(`${gh.urls.server}/stackci/appliance/releases/latest/download/appliance.qcow2`)
  expect(res.status).toBe(200)
  return Buffer.from(await res.arrayBuffer())
}

describe('publish-latest-image', () => {
  it('publishes to this repository and moves latest; keeps keep-versions', async () => {
    for (const v of ['1', '2']) expect((await publish((await built(v)).img)).errors).toEqual([])
    const v3 = await built('3')
    const r = await publish(v3.img, { 'keep-versions': '2' })
    expect(r.errors).toEqual([])
    expect(r.outputs).toEqual({
      url: `${gh.urls.server}/stackci/appliance/releases/download/3/appliance.qcow2`,
      'latest-url': `${gh.urls.server}/stackci/appliance/releases/latest/download/appliance.qcow2`,
      sha256: v3.manifest.sha256,
      version: '3',
      'deleted-versions': '1',
    })
    expect((await latestBytes()).equals(readFileSync(v3.img))).toBe(true)
    const repo = gh.state.repo('stackci', 'appliance')!
    expect(repo.releases.map((x) => x.tagName)).toEqual(['2', '3'])
    expect(repo.tags.get('3')).toBe('b'.repeat(40))
    expect(r.summary).toContain('Published appliance 3')
    expect(findLeaks(r, ['test-token'])).toEqual([])
  })

  it('an upload that breaks and keeps failing fails the step and leaves the previous latest valid', async () => {
    const v1 = await built('1')
    await publish(v1.img)
    gh.faults.breakUploadAfterBytes = 500_000
    gh.faults.failNext({ path: '/api/uploads/', status: 500, times: 10 })
    const r = await publish((await built('2', 3)).img)
    expect(r.exitCode).toBe(1)
    expect(r.errors.join('')).toMatch(/HTTP 500/)
    expect((await latestBytes()).equals(readFileSync(v1.img))).toBe(true)
    expect(gh.state.repo('stackci', 'appliance')!.releases.map((x) => [x.tagName, x.draft])).toEqual([
      ['1', false],
    ])
  })

  it('refuses an image that does not match its manifest', async () => {
    const b = await built('1')
    writeFileSync(b.img, Buffer.concat([readFileSync(b.img), Buffer.from('x')]))
    const r = await publish(b.img)
    expect(r.errors.join('')).toMatch(/appliance.qcow2 is \d+ bytes but its manifest says \d+/)
    expect(gh.state.repo('stackci', 'appliance')!.releases).toEqual([])
  })

  it('publishes to a directory', async () => {
    const b = await built('7')
    const pubDir = join(tempDir(), 'images')
    const r = await publish(b.img, { 'publish-location': pubDir })
    expect(r.outputs['latest-url']).toBe(join(pubDir, 'latest', 'appliance.qcow2'))
    expect(readlinkSync(join(pubDir, 'latest'))).toBe('7')
  })

  it('names the bad input', async () => {
    const b = await built('1')
    expect((await publish(b.img, { 'keep-versions': '0' })).errors).toEqual([
      "input 'keep-versions': expected an integer ≥ 1, got '0'",
    ])
    expect((await publish('/nonexistent.qcow2')).errors.join('')).toContain(
      "input 'image-path': /nonexistent.qcow2 does not exist",
    )
    expect((await publish(b.img, { 'manifest-path': '/nope.json' })).errors.join('')).toContain(
      "input 'manifest-path': cannot read image manifest /nope.json",
    )
  })
})
