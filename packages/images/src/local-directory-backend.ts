import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readdir, readFile, readlink, rename, rm, stat, symlink } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ImageManifest } from '@stackci/model'
import { ImageError, ImageNotFoundError, VersionExistsError } from './errors.js'
import {
  MANIFEST_SUFFIX,
  checkSha256File,
  imageFileNames,
  readManifest,
  writeSha256AndManifest,
} from './image-files.js'
import type { PublishBackend, PublishInput, PublishedImage } from './publish-backend.js'
import { checkHashed, HashingStream, READ_CHUNK } from './sha256.js'

/**
 * A directory as publish location (a local demo, or a path a web server exports):
 * `<dir>/<version>/{<name>.qcow2, <name>.qcow2.sha256, <name>.manifest.json}` and a symlink
 * `<dir>/latest -> <version>`, so `<dir>/latest/<name>.qcow2` is the stable latest path.
 * A version is written under a hidden staging name and renamed into place once complete and
 * verified; the symlink is replaced by rename(2). Both are atomic on one filesystem.
 */
export class LocalDirectoryBackend implements PublishBackend {
  readonly description: string
  private readonly dir: string

  constructor(
    dir: string,
    private readonly imageName?: string,
  ) {
    this.dir = resolve(dir)
    this.description = `directory ${this.dir}`
  }

  private checkVersion(version: string): void {
    if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(version) || version === 'latest') {
      throw new ImageError(
        `version '${version}' cannot name a directory (letters, digits, '.', '_', '+', '-'; not 'latest')`,
      )
    }
  }

  async publish(input: PublishInput): Promise<PublishedImage> {
    const { manifest } = input
    this.checkVersion(manifest.version)
    const names = imageFileNames(manifest.name, manifest.format)
    await mkdir(this.dir, { recursive: true })
    const final = join(this.dir, manifest.version)
    if (await exists(final))
      throw new VersionExistsError(
        `version '${manifest.version}' is already published in ${this.description}`,
      )
    const staging = join(this.dir, `.staging-${manifest.version}-${randomBytes(4).toString('hex')}`)
    await mkdir(staging)
    try {
      const hashing = new HashingStream()
      await pipeline(
        createReadStream(input.imagePath, { highWaterMark: READ_CHUNK }),
        hashing,
        createWriteStream(join(staging, names.image)),
      )
      checkHashed(
        hashing,
        manifest,
        (got, want) => `${input.imagePath} has sha256 ${got} but its manifest says ${want}`,
      )
      const published: ImageManifest = { ...manifest, publishedUrl: join(final, names.image) }
      await writeSha256AndManifest(staging, published)
      await rename(staging, final)
      if (input.makeLatest !== false) await this.pointLatestAt(manifest.version)
      return this.describe(manifest.version, published)
    } finally {
      await rm(staging, { recursive: true, force: true })
    }
  }

  private async pointLatestAt(version: string): Promise<void> {
    const tmp = join(this.dir, `.latest-${randomBytes(4).toString('hex')}`)
    await symlink(version, tmp)
    await rename(tmp, join(this.dir, 'latest'))
  }

  private describe(version: string, manifest: ImageManifest): PublishedImage {
    const names = imageFileNames(manifest.name, manifest.format)
    const path = join(this.dir, version, names.image)
    return { version, manifest, imageUrl: path, latestUrl: join(this.dir, 'latest', names.image), ref: path }
  }

  private async manifestFile(versionDir: string): Promise<string | undefined> {
    if (this.imageName) {
      const f = join(versionDir, `${this.imageName}${MANIFEST_SUFFIX}`)
      return (await exists(f)) ? f : undefined
    }
    const found = (await readdir(versionDir)).filter((f) => f.endsWith(MANIFEST_SUFFIX))
    if (found.length > 1)
      throw new ImageError(`${versionDir} holds several manifests (${found.join(', ')}); set the image name`)
    return found[0] && join(versionDir, found[0])
  }

  async resolve(version?: string): Promise<PublishedImage> {
    let v = version
    if (!v) {
      try {
        v = await readlink(join(this.dir, 'latest'))
      } catch {
        throw new ImageNotFoundError(`no latest image published in ${this.description}`)
      }
    }
    this.checkVersion(v)
    const versionDir = join(this.dir, v)
    const mf = (await exists(versionDir)) ? await this.manifestFile(versionDir) : undefined
    if (!mf) throw new ImageNotFoundError(`version '${v}' is not published in ${this.description}`)
    const manifest = await readManifest(mf)
    const sumFile = join(versionDir, imageFileNames(manifest.name, manifest.format).sha256)
    checkSha256File(await readFile(sumFile, 'utf8'), sumFile, manifest, versionDir)
    return this.describe(v, manifest)
  }

  async listVersions(): Promise<string[]> {
    if (!(await exists(this.dir))) return []
    const entries = await readdir(this.dir, { withFileTypes: true })
    const versions: { name: string; mtime: number }[] = []
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.')) continue
      if (!(await this.manifestFile(join(this.dir, e.name)))) continue
      versions.push({ name: e.name, mtime: (await stat(join(this.dir, e.name))).mtimeMs })
    }
    return versions.sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name)).map((v) => v.name)
  }

  async deleteVersion(version: string): Promise<void> {
    this.checkVersion(version)
    const d = join(this.dir, version)
    if (!(await exists(d))) throw new ImageNotFoundError(`version '${version}' is not in ${this.description}`)
    // Renamed away first so a reader never sees a half-deleted version.
    const doomed = join(this.dir, `.deleting-${version}-${randomBytes(4).toString('hex')}`)
    await rename(d, doomed)
    await rm(doomed, { recursive: true, force: true })
  }

  async openImage(image: PublishedImage): Promise<Readable> {
    return createReadStream(image.ref, { highWaterMark: READ_CHUNK })
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}
