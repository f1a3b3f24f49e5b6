import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startGitHubServer, type GitHubServer } from '../../../test/github-server/index.js'
import { ImageNotFoundError, IntegrityError, VersionExistsError } from '../src/errors.js'
import { fetchImage } from '../src/fetch-image.js'
import { GitHubReleasesBackend } from '../src/github-releases-backend.js'
import { pruneVersions } from '../src/prune.js'
import { backendForLocation } from '../src/publish-location.js'
import { makeQcow2, manifestFor, tempDir } from './qcow2-fixture.js'

let gh: GitHubServer
let dir: string

beforeEach(async () => {
  gh = await startGitHubServer({ repos: ['stackci/appliance'] })
  dir = tempDir()
})
afterEach(async () => {
  await gh.close()
})

function backend(token: string | null = 'test-token') {
  return new GitHubReleasesBackend({
    apiUrl: gh.urls.api,
    serverUrl: gh.urls.server,
    repository: 'stackci/appliance',
    imageName: 'appliance',
    ...(token ? { token } : {}),
  })
}

async function publishVersion(version: string, megabytes = 1) {
  const img = makeQcow2(dir, `appliance-${version}`, megabytes)
  const manifest = await manifestFor(img, 'appliance', version)
  return { img, manifest, published: await backend().publish({ imagePath: img, manifest }) }
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url)
  expect(res.status).toBe(200)
  return Buffer.from(await res.arrayBuffer())
}

describe('GitHub Releases backend', () => {
  it('publishes image, .sha256 and manifest, and moves latest to the new version', async () => {
    const v1 = await publishVersion('1.0.0')
    // Uploads to a fresh draft need no cleanup: the one asset listing is the check before publishing.
    expect(gh.requests.filter((r) => r.method === 'GET' && r.path.includes('/assets'))).toHaveLength(1)
    expect(v1.published.latestUrl).toBe(
      `${gh.urls.server}/stackci/appliance/releases/latest/download/appliance.qcow2`,
    )
    expect(v1.published.imageUrl).toBe(
      `${gh.urls.server}/stackci/appliance/releases/download/1.0.0/appliance.qcow2`,
    )
    const v2 = await publishVersion('1.1.0')
    expect((await download(v2.published.latestUrl)).equals(readFileSync(v2.img))).toBe(true)
    expect((await download(v1.published.imageUrl)).equals(readFileSync(v1.img))).toBe(true)
    const sums = (
      await download(`${gh.urls.server}/stackci/appliance/releases/latest/download/appliance.qcow2.sha256`)
    ).toString()
    expect(sums).toBe(`${v2.manifest.sha256}  appliance.qcow2\n`)

    // Anonymous resolve, as a public consumer would.
    const latest = await backend(null).resolve()
    expect(latest.version).toBe('1.1.0')
    expect(latest.manifest).toEqual({ ...v2.manifest, publishedUrl: v2.published.imageUrl })
    expect((await backend().resolve('1.0.0')).manifest.sha256).toBe(v1.manifest.sha256)
    expect(await backend().listVersions()).toEqual(['1.1.0', '1.0.0'])
  })

  it('downloads the latest verified; a tampered download fails and leaves no file', async () => {
    const v1 = await publishVersion('1.0.0')
    const out = join(dir, 'dl')
    const got = await fetchImage(backend(null), undefined, out)
    expect(readFileSync(got.path).equals(readFileSync(v1.img))).toBe(true)
    expect(JSON.parse(readFileSync(got.manifestPath, 'utf8')).sha256).toBe(v1.manifest.sha256)

    gh.faults.tamperDownloads = /\.qcow2$/
    const bad = join(dir, 'bad')
    const err = await fetchImage(backend(), undefined, bad).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(IntegrityError)
    expect((err as Error).message).toMatch(
      /has sha256 [0-9a-f]{64} .*the manifest of version 1.0.0 says [0-9a-f]{64}.*deleted/,
    )
    expect(readdirSync(bad)).toEqual([])
  })

  it('an upload that breaks in the middle and then keeps failing leaves the previous latest in place', async () => {
    const v1 = await publishVersion('1.0.0')
    gh.faults.breakUploadAfterBytes = 300_000
    gh.faults.failNext({ path: '/api/uploads/', status: 502, times: 10 })
    await expect(publishVersion('2.0.0', 2)).rejects.toThrow(/HTTP 502/)
    const latest = await backend(null).resolve()
    expect(latest.version).toBe('1.0.0')
    expect((await download(v1.published.latestUrl)).equals(readFileSync(v1.img))).toBe(true)
    // The failed draft is gone and 2.0.0 was never visible.
    expect(gh.state.repo('stackci', 'appliance')!.releases.map((r) => r.tagName)).toEqual(['1.0.0'])
    expect(gh.requests.some((r) => r.path.includes('releases/download/2.0.0'))).toBe(false)
  })

  it('retries a broken upload: the starter asset is deleted and the upload done again', async () => {
    gh.faults.breakUploadAfterBytes = 100_000
    const v = await publishVersion('1.0.0', 2)
    expect((await download(v.published.latestUrl)).equals(readFileSync(v.img))).toBe(true)
    const release = gh.state.repo('stackci', 'appliance')!.releases[0]!
    expect(release.assets.map((a) => [a.name, a.state])).toEqual([
      ['appliance.qcow2', 'uploaded'],
      ['appliance.qcow2.sha256', 'uploaded'],
      ['appliance.manifest.json', 'uploaded'],
    ])
  })

  it('never publishes an image that does not match its manifest', async () => {
    const img = makeQcow2(dir, 'x')
    const manifest = { ...(await manifestFor(img, 'appliance', '1.0.0')), sha256: 'f'.repeat(64) }
    await expect(backend().publish({ imagePath: img, manifest })).rejects.toThrow(IntegrityError)
    expect(gh.state.repo('stackci', 'appliance')!.releases).toEqual([])
  })

  it('refuses to republish a version, and replaces a draft left by a dead run', async () => {
    await publishVersion('1.0.0')
    await expect(publishVersion('1.0.0')).rejects.toThrow(VersionExistsError)
    const repo = gh.state.repo('stackci', 'appliance')!
    await fetch(`${gh.urls.api}/repos/stackci/appliance/releases`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token' },
      body: JSON.stringify({ tag_name: '2.0.0', draft: true }),
    })
    await publishVersion('2.0.0')
    expect(repo.releases.filter((r) => r.tagName === '2.0.0')).toHaveLength(1)
    expect((await backend().resolve()).version).toBe('2.0.0')
  })

  it('refuses a release whose .sha256 disagrees with its manifest', async () => {
    const v = await publishVersion('1.0.0')
    const release = gh.state.repo('stackci', 'appliance')!.releases[0]!
    const sum = release.assets.find((a) => a.name === 'appliance.qcow2.sha256')!
    writeFileSync(sum.file, `${'e'.repeat(64)}  appliance.qcow2\n`)
    const err = await backend(null)
      .resolve()
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(IntegrityError)
    expect((err as Error).message).toBe(
      `release 1.0.0: appliance.qcow2.sha256 says ${'e'.repeat(64)} but the manifest says ${v.manifest.sha256}`,
    )
  })

  it('retries 5xx answers on reads', async () => {
    await publishVersion('1.0.0')
    gh.faults.failNext({ path: '/releases/latest', status: 503, times: 2 })
    expect((await backend().resolve()).version).toBe('1.0.0')
  })

  it('keeps the newest versions, deleting releases and tags of older ones', async () => {
    for (const v of ['1', '2', '3', '4']) await publishVersion(`${v}.0.0`)
    const before = gh.requests.length
    const deleted = await pruneVersions(backend(), 2)
    expect(deleted).toEqual(['2.0.0', '1.0.0'])
    // One listing to choose what to delete; each deletion looks its release up by tag.
    const pruning = gh.requests.slice(before)
    expect(pruning.filter((r) => r.method === 'GET' && r.path.includes('/releases?'))).toHaveLength(1)
    expect(pruning.filter((r) => r.method === 'GET' && r.path.includes('/releases/tags/'))).toHaveLength(2)
    expect(await backend().listVersions()).toEqual(['4.0.0', '3.0.0'])
    expect([...gh.state.repo('stackci', 'appliance')!.tags.keys()].sort()).toEqual(['3.0.0', '4.0.0'])
    const gone = await backend()
      .deleteVersion('2.0.0')
      .catch((e: unknown) => e)
    expect(gone).toBeInstanceOf(ImageNotFoundError)
    expect((gone as Error).message).toBe(
      `version '2.0.0' is not in GitHub releases of stackci/appliance at ${gh.urls.server}`,
    )
  })

  it('follows Link pages past releases that are not images', async () => {
    await publishVersion('1.0.0')
    for (let i = 0; i < 105; i++) {
      await fetch(`${gh.urls.api}/repos/stackci/appliance/releases`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-token' },
        body: JSON.stringify({ tag_name: `docs-${i}`, make_latest: 'false' }),
      })
    }
    expect(await backend().listVersions()).toEqual(['1.0.0'])
    expect(gh.requests.filter((r) => r.path.includes('/releases?per_page=100&page=2'))).toHaveLength(1)
  })

  it('says clearly when nothing is published, and needs a token to publish', async () => {
    await expect(backend().resolve()).rejects.toThrow(ImageNotFoundError)
    await expect(backend().resolve('9.9')).rejects.toThrow(
      "version '9.9' is not published in GitHub releases of stackci/appliance",
    )
    const img = makeQcow2(dir, 'x')
    await expect(
      backend(null).publish({ imagePath: img, manifest: await manifestFor(img, 'appliance', '1') }),
    ).rejects.toThrow(/needs a token/)
  })

  it('is reachable through a releases URL of the server', async () => {
    await publishVersion('1.0.0')
    const b = backendForLocation(`${gh.urls.server}/stackci/appliance/releases`)
    expect(b.description).toBe(`GitHub releases of stackci/appliance at ${gh.urls.server}`)
    expect((await b.resolve()).version).toBe('1.0.0')
    // github:owner/repo takes the API root from the caller's GITHUB_API_URL, not from the server URL.
    const env = { GITHUB_SERVER_URL: 'https://ghe.invalid', GITHUB_API_URL: gh.urls.api }
    expect((await backendForLocation('github:stackci/appliance', { env }).resolve()).version).toBe('1.0.0')
  })
})
