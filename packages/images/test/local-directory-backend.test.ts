import { readFileSync, readlinkSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ImageNotFoundError, IntegrityError, VersionExistsError } from '../src/errors.js'
import { fetchImage } from '../src/fetch-image.js'
import { LocalDirectoryBackend } from '../src/local-directory-backend.js'
import { pruneVersions } from '../src/prune.js'
import { backendForLocation } from '../src/publish-location.js'
import { makeQcow2, manifestFor, tempDir } from './qcow2-fixture.js'

async function publish(b: LocalDirectoryBackend, dir: string, version: string) {
  const img = makeQcow2(dir, `src-${version}`, 1)
  return {
    img,
    published: await b.publish({ imagePath: img, manifest: await manifestFor(img, 'appliance', version) }),
  }
}

describe('local directory backend', () => {
  it('publishes versions and moves the latest symlink', async () => {
    const work = tempDir()
    const pub = join(work, 'images')
    const b = new LocalDirectoryBackend(pub)
    await expect(b.resolve()).rejects.toThrow(ImageNotFoundError)
    await publish(b, work, '1')
    const v2 = await publish(b, work, '2')
    expect(readlinkSync(join(pub, 'latest'))).toBe('2')
    expect(readFileSync(v2.published.latestUrl).equals(readFileSync(v2.img))).toBe(true)
    expect(readdirSync(join(pub, '2')).sort()).toEqual([
      'appliance.manifest.json',
      'appliance.qcow2',
      'appliance.qcow2.sha256',
    ])
    expect(readdirSync(pub).filter((f) => f.startsWith('.'))).toEqual([])
    expect((await b.resolve()).version).toBe('2')
    expect((await b.resolve('1')).manifest.publishedUrl).toBe(join(pub, '1', 'appliance.qcow2'))
    await expect(publish(b, work, '2')).rejects.toThrow(VersionExistsError)
  })

  it('fetches verified, and refuses a published image altered on disk', async () => {
    const work = tempDir()
    const b = new LocalDirectoryBackend(join(work, 'images'))
    const v = await publish(b, work, '1')
    const got = await fetchImage(b, undefined, join(work, 'dl'))
    expect(readFileSync(got.path).equals(readFileSync(v.img))).toBe(true)

    const bytes = readFileSync(v.published.imageUrl)
    bytes[1000] = bytes[1000]! ^ 1
    writeFileSync(v.published.imageUrl, bytes)
    await expect(fetchImage(b, '1', join(work, 'bad'))).rejects.toThrow(IntegrityError)
    expect(readdirSync(join(work, 'bad'))).toEqual([])
  })

  it('refuses an image that does not match its manifest, and a published version whose files disagree', async () => {
    const work = tempDir()
    const pub = join(work, 'images')
    const b = new LocalDirectoryBackend(pub)
    const img = makeQcow2(work, 'src', 1)
    const manifest = await manifestFor(img, 'appliance', '1')
    const wrong = { ...manifest, sha256: 'f'.repeat(64) }
    const refused = await b.publish({ imagePath: img, manifest: wrong }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(IntegrityError)
    expect((refused as Error).message).toBe(
      `${img} has sha256 ${manifest.sha256} (${manifest.sizeBytes} bytes) but its manifest says ${wrong.sha256} (${manifest.sizeBytes} bytes)`,
    )

    await b.publish({ imagePath: img, manifest })
    const sumFile = join(pub, '1', 'appliance.qcow2.sha256')
    writeFileSync(sumFile, `${'e'.repeat(64)}  appliance.qcow2\n`)
    const altered = await b.resolve('1').catch((e: unknown) => e)
    expect(altered).toBeInstanceOf(IntegrityError)
    expect((altered as Error).message).toBe(
      `${join(pub, '1')}: appliance.qcow2.sha256 says ${'e'.repeat(64)} but the manifest says ${manifest.sha256}`,
    )
    writeFileSync(join(pub, '1', 'appliance.manifest.json'), '{"name": ')
    await expect(b.resolve('1')).rejects.toThrow(
      new RegExp(`^${join(pub, '1', 'appliance.manifest.json')} is not JSON: `),
    )
  })

  it('prunes to keep-versions but never the latest', async () => {
    const work = tempDir()
    const b = new LocalDirectoryBackend(join(work, 'images'))
    for (const v of ['1', '2', '3']) await publish(b, work, v)
    expect(await pruneVersions(b, 1)).toEqual(['2', '1'])
    expect(await b.listVersions()).toEqual(['3'])
    await expect(pruneVersions(b, 0)).rejects.toThrow('keep-versions must be an integer ≥ 1, got 0')
  })
})

describe('publish locations', () => {
  it('maps the forms users write to backends', () => {
    expect(backendForLocation('github:stackci/appliance').description).toBe(
      'GitHub releases of stackci/appliance at https://github.com',
    )
    expect(backendForLocation('https://github.com/stackci/appliance/releases').description).toBe(
      'GitHub releases of stackci/appliance at https://github.com',
    )
    const ghe = { env: { GITHUB_SERVER_URL: 'https://ghe.example.com/', GITHUB_API_URL: '' } }
    expect(backendForLocation('github:o/r', ghe).description).toBe(
      'GitHub releases of o/r at https://ghe.example.com',
    )
    expect(backendForLocation('file:///srv/images').description).toBe('directory /srv/images')
    expect(backendForLocation('/srv/images').description).toBe('directory /srv/images')
    expect(backendForLocation('images', { baseDir: '/work' }).description).toBe('directory /work/images')
    expect(backendForLocation('/srv/images', { baseDir: '/work' }).description).toBe('directory /srv/images')
    expect(() => backendForLocation('s3://bucket/x')).toThrow(
      "publish location 's3://bucket/x': unsupported scheme",
    )
    expect(() => backendForLocation('https://github.com/only-owner')).toThrow('is not a repository URL')
  })
})
