import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as core from '@actions/core'
import {
  backendForLocation,
  downloadImage,
  imageFileNames,
  sha256File,
  writeManifest,
  type PublishedImage,
} from '@stackci/images'
import { InputError, type Settings } from './inputs.js'

/**
 * tool-cache's find() only looks up semver versions; image versions are dates and SHAs. One
 * prerelease identifier (`0.0.0-v<version>` with other characters as '-') is always valid semver.
 */
export function toolCacheVersion(version: string): string {
  return `0.0.0-v${version.replace(/[^0-9A-Za-z-]/g, '-')}`
}

export interface Reused {
  image: PublishedImage
  path: string
  manifestPath: string
  cacheHit: boolean
}

/**
 * Resolves the published image, then uses the tool cache entry for its version if the file there
 * still has the published sha256, else downloads it into that entry (verified while writing; a
 * mismatch deletes the file and fails).
 */
export async function reusePublished(s: Settings): Promise<Reused> {
  if (!s.publishLocation) throw new InputError('publish-location', 'is needed to reuse a published image')
  const backend = backendForLocation(s.publishLocation, {
    ...(s.token ? { token: s.token } : {}),
    imageName: s.imageName,
    env: process.env,
  })
  core.info(
    `resolving ${s.version ? `version ${s.version}` : 'the latest image'} from ${backend.description}`,
  )
  const image = await backend.resolve(s.version || undefined)
  const names = imageFileNames(image.manifest.name, image.manifest.format)
  const tc = await import('@actions/tool-cache')
  const tool = `stackci-image-${image.manifest.name}`
  const cacheVersion = toolCacheVersion(image.version)
  let dir = tc.find(tool, cacheVersion)
  if (dir && existsSync(join(dir, names.image))) {
    const { sha256 } = await sha256File(join(dir, names.image))
    if (sha256 === image.manifest.sha256) {
      core.info(`using ${join(dir, names.image)} from the tool cache (sha256 verified)`)
      const manifestPath = join(dir, names.manifest)
      await writeManifest(manifestPath, image.manifest)
      return { image, path: join(dir, names.image), manifestPath, cacheHit: true }
    }
    core.warning(
      `tool cache copy of ${image.version} has sha256 ${sha256}, expected ${image.manifest.sha256}: downloading again`,
    )
  }
  if (!dir) {
    const empty = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'stackci-empty-'))
    // The entry is made first and the image downloaded into it: no second multi-GB copy. The
    // image file only gets its name once verified, and every use verifies it again.
    dir = await tc.cacheDir(empty, tool, cacheVersion)
    await rm(empty, { recursive: true, force: true })
  }
  core.info(`downloading ${image.imageUrl} into the tool cache`)
  const started = Date.now()
  const fetched = await downloadImage(backend, image, dir)
  const secs = (Date.now() - started) / 1000
  core.info(`downloaded and verified ${image.manifest.sizeBytes} bytes in ${secs.toFixed(1)} s`)
  return { image, path: fetched.path, manifestPath: fetched.manifestPath, cacheHit: false }
}
