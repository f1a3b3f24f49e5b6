import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseImageManifest, type ImageManifest } from '@stackci/model'
import { ImageError, IntegrityError } from './errors.js'
import { formatSha256File, parseSha256File } from './sha256.js'

/**
 * The three files of an image, named the same in every version so that a "latest" URL
 * (`releases/latest/download/<name>.qcow2`) stays stable: the image, its sha256sum file, and the
 * manifest.
 */
export interface ImageFileNames {
  image: string
  sha256: string
  manifest: string
}

/** What an image name may be: it names files and URLs. */
export const IMAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

export function imageFileNames(name: string, format: string): ImageFileNames {
  if (!IMAGE_NAME.test(name)) {
    throw new Error(`image name '${name}' must be letters, digits, '.', '_' or '-' (it names files and URLs)`)
  }
  const image = `${name}.${format}`
  return { image, sha256: `${image}.sha256`, manifest: `${name}.manifest.json` }
}

export const MANIFEST_SUFFIX = '.manifest.json'

/** A manifest's JSON text, checked; `source` (its path or URL) names it in errors. */
export function parseManifestText(text: string, source: string): ImageManifest {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    throw new ImageError(`${source} is not JSON: ${(e as Error).message}`)
  }
  return parseImageManifest(data, source)
}

export async function readManifest(path: string): Promise<ImageManifest> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    throw new ImageError(`cannot read image manifest ${path}: ${(e as Error).message}`)
  }
  return parseManifestText(text, path)
}

export function manifestJson(m: ImageManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`
}

export async function writeManifest(path: string, m: ImageManifest): Promise<void> {
  await writeFile(path, manifestJson(m))
}

/** The image's sha256sum file and manifest, written next to it in `dir`. */
export async function writeSha256AndManifest(
  dir: string,
  m: ImageManifest,
): Promise<{ sha256Path: string; manifestPath: string }> {
  const names = imageFileNames(m.name, m.format)
  const sha256Path = join(dir, names.sha256)
  const manifestPath = join(dir, names.manifest)
  await writeFile(sha256Path, formatSha256File(m.sha256, names.image))
  await writeManifest(manifestPath, m)
  return { sha256Path, manifestPath }
}

/**
 * The published sha256sum file (`text`, read from `source`) must list the digest the manifest
 * has: the two are written together, so a difference means one was altered. `where` (a release,
 * a directory) starts the error.
 */
export function checkSha256File(text: string, source: string, m: ImageManifest, where: string): void {
  const names = imageFileNames(m.name, m.format)
  const listed = parseSha256File(text, names.image, source)
  if (listed !== m.sha256) {
    throw new IntegrityError(
      `${where}: ${names.sha256} says ${listed} but the manifest says ${m.sha256}`,
      m.sha256,
      listed,
    )
  }
}
