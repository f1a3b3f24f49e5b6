import { readFile, writeFile } from 'node:fs/promises'
import { parseImageManifest, type ImageManifest } from '@stackci/model'

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

export function imageFileNames(name: string, format: string): ImageFileNames {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new Error(`image name '${name}' must be letters, digits, '.', '_' or '-' (it names files and URLs)`)
  }
  const image = `${name}.${format}`
  return { image, sha256: `${image}.sha256`, manifest: `${name}.manifest.json` }
}

export const MANIFEST_SUFFIX = '.manifest.json'

export async function readManifest(path: string): Promise<ImageManifest> {
  let data: unknown
  try {
    data = JSON.parse(await readFile(path, 'utf8'))
  } catch (e) {
    throw new Error(`cannot read image manifest ${path}: ${(e as Error).message}`)
  }
  return parseImageManifest(data, path)
}

export function manifestJson(m: ImageManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`
}

export async function writeManifest(path: string, m: ImageManifest): Promise<void> {
  await writeFile(path, manifestJson(m))
}
