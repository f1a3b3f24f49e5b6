import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { imageFileNames, writeSha256AndManifest } from './image-files.js'
import type { PublishBackend, PublishedImage } from './publish-backend.js'
import { checkHashed, HashingStream } from './sha256.js'

export interface FetchedImage {
  image: PublishedImage
  /** The verified image file. */
  path: string
  manifestPath: string
}

/**
 * Downloads a resolved image into `destDir`, hashing while writing. The bytes go to a `.partial`
 * file that only becomes `<name>.<format>` once size and sha256 match the published manifest;
 * on a mismatch the bad file is deleted and IntegrityError names both digests.
 */
export async function downloadImage(
  backend: PublishBackend,
  image: PublishedImage,
  destDir: string,
  signal?: AbortSignal,
): Promise<FetchedImage> {
  const names = imageFileNames(image.manifest.name, image.manifest.format)
  await mkdir(destDir, { recursive: true })
  const path = join(destDir, names.image)
  const partial = `${path}.partial`
  const hashing = new HashingStream()
  try {
    await pipeline(
      await backend.openImage(image, signal),
      hashing,
      createWriteStream(partial),
      signal ? { signal } : {},
    )
    checkHashed(
      hashing,
      image.manifest,
      (got, want) =>
        `downloaded ${image.imageUrl} has sha256 ${got}, ` +
        `the manifest of version ${image.version} says ${want}; the downloaded file was deleted`,
    )
    await rename(partial, path)
  } finally {
    await rm(partial, { force: true })
  }
  const { manifestPath } = await writeSha256AndManifest(destDir, image.manifest)
  return { image, path, manifestPath }
}

/** Resolves the latest (or the given) version and downloads it, verified. */
export async function fetchImage(
  backend: PublishBackend,
  version: string | undefined,
  destDir: string,
  signal?: AbortSignal,
): Promise<FetchedImage> {
  return downloadImage(backend, await backend.resolve(version), destDir, signal)
}
