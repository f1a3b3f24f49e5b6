import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GitHubReleasesBackend, LocalDirectoryBackend } from '@stackci/images'
import { imageResolveCommand } from '../src/commands/image-resolve.js'
import { main } from '../src/main.js'
import { startGitHubServer, type GitHubServer } from '../../../test/github-server/index.js'
import { makeQcow2, manifestFor, tempDir } from '../../images/test/qcow2-fixture.js'
import { testContext } from './support/context.js'

const context = (env: NodeJS.ProcessEnv = {}, cwd = process.cwd()) => testContext({ env, cwd })

const stackci = (argv: string[], t: ReturnType<typeof context>) =>
  main(['image', 'resolve', ...argv], t.ctx, [imageResolveCommand])

let gh: GitHubServer
beforeEach(async () => {
  gh = await startGitHubServer({ repos: ['stackci/appliance'] })
})
afterEach(async () => {
  await gh.close()
})

describe('stackci image resolve', () => {
  it('resolves the latest from the releases URL of a GitHub server, and downloads it verified', async () => {
    const dir = tempDir()
    const b = new GitHubReleasesBackend({
      apiUrl: gh.urls.api,
      serverUrl: gh.urls.server,
      repository: 'stackci/appliance',
      token: 'test-token',
    })
    for (const v of ['1.0', '1.1']) {
      const img = makeQcow2(dir, `a${v}`, 1)
      await b.publish({ imagePath: img, manifest: await manifestFor(img, 'appliance', v) })
    }
    const t = context({}, dir)
    expect(await stackci([`${gh.urls.server}/stackci/appliance/releases`, '--download', 'dl'], t)).toBe(0)
    expect(t.out()).toMatch(
      /^location: +GitHub releases of stackci\/appliance at http:\/\/127\.0\.0\.1:\d+$/m,
    )
    expect(t.out()).toMatch(/^version: +1\.1$/m)
    expect(t.out()).toContain(`downloaded:    ${join(dir, 'dl', 'appliance.qcow2')} (sha256 verified)`)
    expect(
      readFileSync(join(dir, 'dl', 'appliance.qcow2')).equals(readFileSync(join(dir, 'a1.1.qcow2'))),
    ).toBe(true)

    const pinned = context({ GITHUB_SERVER_URL: gh.urls.server, GITHUB_API_URL: gh.urls.api })
    expect(await stackci(['github:stackci/appliance', '--version', '1.0', '--json'], pinned)).toBe(0)
    expect(JSON.parse(pinned.out())).toMatchObject({
      version: '1.0',
      manifest: { name: 'appliance', version: '1.0' },
    })
  })

  it('resolves from a local publish location and fails clearly on a tampered image', async () => {
    const dir = tempDir()
    const img = makeQcow2(dir, 'src', 1)
    const published = await new LocalDirectoryBackend(join(dir, 'pub')).publish({
      imagePath: img,
      manifest: await manifestFor(img, 'appliance', '5'),
    })
    const t = context({}, dir)
    expect(await stackci(['pub'], t)).toBe(0)
    expect(t.out()).toMatch(/^version: +5$/m)

    const bytes = readFileSync(published.imageUrl)
    bytes[4096] = bytes[4096]! ^ 0xff
    writeFileSync(published.imageUrl, bytes)
    const bad = context({}, dir)
    expect(await stackci(['pub', '--download', 'dl'], bad)).toBe(1)
    expect(bad.err()).toMatch(/stackci image resolve: downloaded .*appliance.qcow2 has sha256 [0-9a-f]{64}/)
  })

  it('names the bad argument', async () => {
    const t = context()
    expect(await stackci(['s3://bucket/x'], t)).toBe(2)
    expect(t.err()).toContain("LOCATION: publish location 's3://bucket/x': unsupported scheme")
    const none = context()
    expect(await stackci(['github:stackci/appliance'], { ...none, ctx: { ...none.ctx, env: gh.env } })).toBe(
      1,
    )
    expect(none.err()).toContain('no latest image published in GitHub releases of stackci/appliance')
  })
})
