import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import type { ImageManifest } from '@stackci/model'
import { HttpError, ImageError, ImageNotFoundError, IntegrityError, VersionExistsError } from './errors.js'
import { expectOk, nextLink, readBody, send, sendJson, withRetries } from './http-client.js'
import {
  MANIFEST_SUFFIX,
  checkSha256File,
  imageFileNames,
  manifestJson,
  parseManifestText,
} from './image-files.js'
import type { PublishBackend, PublishInput, PublishedImage } from './publish-backend.js'
import { checkHashed, formatSha256File, HashingStream, READ_CHUNK } from './sha256.js'

export interface GitHubReleasesOptions {
  /** REST API root: https://api.github.com, or https://HOST/api/v3 (GHES and the test server). */
  apiUrl: string
  /** Web root for download URLs: https://github.com or https://HOST. */
  serverUrl: string
  /** owner/name */
  repository: string
  token?: string
  /** Image name; when unset, resolve() takes the one `*.manifest.json` asset a release has. */
  imageName?: string
  /** Commit or branch a release's tag is created at (GitHub needs one that exists in the repository). */
  targetCommitish?: string
}

interface AssetJson {
  id: number
  name: string
  url: string
  browser_download_url: string
  state: string
  size: number
  digest?: string | null
}

interface ReleaseJson {
  id: number
  url: string
  upload_url: string
  html_url: string
  tag_name: string
  draft: boolean
  prerelease: boolean
  assets: AssetJson[]
}

/**
 * GitHub Releases: one release per version (tag = version) holding the image, its .sha256 and
 * the manifest. A draft is filled and checked first; publishing it (draft: false) is the single
 * request that makes the version visible and moves releases/latest.
 */
export class GitHubReleasesBackend implements PublishBackend {
  readonly description: string
  private readonly api: string
  private readonly server: string

  constructor(private readonly options: GitHubReleasesOptions) {
    if (!/^[^/\s]+\/[^/\s]+$/.test(options.repository)) {
      throw new ImageError(`GitHub repository must be owner/name, got '${options.repository}'`)
    }
    this.api = options.apiUrl.replace(/\/+$/, '')
    this.server = options.serverUrl.replace(/\/+$/, '')
    this.description = `GitHub releases of ${options.repository} at ${this.server}`
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = {
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      ...extra,
    }
    if (this.options.token) h.authorization = `Bearer ${this.options.token}`
    return h
  }

  private repoUrl(path: string): string {
    return `${this.api}/repos/${this.options.repository}${path}`
  }

  private async call<T>(method: string, url: string, body?: unknown): Promise<T> {
    const run = async () =>
      (
        await sendJson<T>({
          method,
          url,
          headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
          body: body === undefined ? undefined : JSON.stringify(body),
        })
      ).body
    // Only idempotent calls are retried; a repeated POST could create a second release.
    return method === 'POST' ? run() : withRetries(run)
  }

  private async allReleases(): Promise<ReleaseJson[]> {
    const out: ReleaseJson[] = []
    let url: string | undefined = this.repoUrl('/releases?per_page=100')
    while (url) {
      const page: { body: ReleaseJson[]; next: string | undefined } = await withRetries(async () => {
        const r = await sendJson<ReleaseJson[]>({ method: 'GET', url: url!, headers: this.headers() })
        return { body: r.body, next: nextLink(r.res.headers.link) }
      })
      out.push(...page.body)
      url = page.next
    }
    return out
  }

  private isManifestAsset(asset: AssetJson): boolean {
    return this.options.imageName
      ? asset.name === `${this.options.imageName}${MANIFEST_SUFFIX}`
      : asset.name.endsWith(MANIFEST_SUFFIX)
  }

  private manifestAsset(release: ReleaseJson): AssetJson {
    const found = release.assets.filter((a) => this.isManifestAsset(a))
    if (found.length !== 1) {
      const wanted = this.options.imageName ? `${this.options.imageName}${MANIFEST_SUFFIX}` : undefined
      throw new ImageNotFoundError(
        `release ${release.tag_name} of ${this.options.repository} has ${found.length === 0 ? 'no' : 'several'} ${wanted ?? `*${MANIFEST_SUFFIX}`} asset${found.length === 0 ? '' : 's'}` +
          (wanted ? '' : '; set the image name'),
      )
    }
    return found[0]!
  }

  private async downloadText(asset: AssetJson): Promise<string> {
    return withRetries(async () => {
      const res = await expectOk(
        await send({
          method: 'GET',
          url: asset.url,
          headers: this.headers({ accept: 'application/octet-stream' }),
        }),
        'GET',
        asset.url,
      )
      return readBody(res)
    })
  }

  /** A 404 becomes ImageNotFoundError with `notFound` as its message. */
  private async getRelease(url: string, notFound: string): Promise<ReleaseJson> {
    try {
      return await this.call<ReleaseJson>('GET', url)
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) throw new ImageNotFoundError(notFound)
      throw e
    }
  }

  /** A published release by its tag (GitHub answers 404 for drafts). */
  private releaseByTag(tag: string, notFound: string): Promise<ReleaseJson> {
    return this.getRelease(this.repoUrl(`/releases/tags/${encodeURIComponent(tag)}`), notFound)
  }

  async resolve(version?: string): Promise<PublishedImage> {
    const release = version
      ? await this.releaseByTag(version, `version '${version}' is not published in ${this.description}`)
      : await this.getRelease(
          this.repoUrl('/releases/latest'),
          `no latest image published in ${this.description}`,
        )
    const manifestAsset = this.manifestAsset(release)
    const manifest = parseManifestText(
      await this.downloadText(manifestAsset),
      manifestAsset.browser_download_url,
    )
    const names = imageFileNames(manifest.name, manifest.format)
    const image = release.assets.find((a) => a.name === names.image && a.state === 'uploaded')
    const sumAsset = release.assets.find((a) => a.name === names.sha256 && a.state === 'uploaded')
    if (!image || !sumAsset) {
      throw new ImageNotFoundError(`release ${release.tag_name} lacks ${image ? names.sha256 : names.image}`)
    }
    // The three published files must agree before anyone downloads gigabytes.
    checkSha256File(
      await this.downloadText(sumAsset),
      sumAsset.browser_download_url,
      manifest,
      `release ${release.tag_name}`,
    )
    if (image.size !== manifest.sizeBytes) {
      throw new IntegrityError(
        `release ${release.tag_name}: ${names.image} is ${image.size} bytes, the manifest says ${manifest.sizeBytes}`,
        String(manifest.sizeBytes),
        String(image.size),
      )
    }
    return {
      version: release.tag_name,
      manifest,
      imageUrl: image.browser_download_url,
      latestUrl: this.latestUrl(names.image),
      ref: image.url,
    }
  }

  private latestUrl(fileName: string): string {
    return `${this.server}/${this.options.repository}/releases/latest/download/${encodeURIComponent(fileName)}`
  }

  async openImage(image: PublishedImage, signal?: AbortSignal): Promise<Readable> {
    // The asset API works for private repositories too; it redirects to the storage host.
    return withRetries(async () =>
      expectOk(
        await send({
          method: 'GET',
          url: image.ref,
          headers: this.headers({ accept: 'application/octet-stream' }),
          ...(signal ? { signal } : {}),
        }),
        'GET',
        image.ref,
      ),
    )
  }

  async listVersions(): Promise<string[]> {
    return (await this.allReleases())
      .filter((r) => !r.draft && r.assets.some((a) => this.isManifestAsset(a)))
      .map((r) => r.tag_name)
  }

  async deleteVersion(version: string): Promise<void> {
    // By tag, not a search of the full listing: pruning deletes several versions in a row.
    const release = await this.releaseByTag(version, `version '${version}' is not in ${this.description}`)
    await this.call('DELETE', release.url)
    await this.deleteTag(version)
  }

  private async deleteTag(tag: string): Promise<void> {
    try {
      await this.call('DELETE', this.repoUrl(`/git/refs/tags/${encodeURIComponent(tag)}`))
    } catch (e) {
      // A draft never had a tag.
      if (!(e instanceof HttpError && (e.status === 422 || e.status === 404))) throw e
    }
  }

  async publish(input: PublishInput, signal?: AbortSignal): Promise<PublishedImage> {
    if (!this.options.token) throw new ImageError(`publishing to ${this.description} needs a token`)
    const { manifest } = input
    const names = imageFileNames(manifest.name, manifest.format)
    const tag = manifest.version
    const existing = (await this.allReleases()).filter((r) => r.tag_name === tag)
    for (const r of existing) {
      if (!r.draft)
        throw new VersionExistsError(`version '${tag}' is already published in ${this.description}`)
      // A draft left by a run that died: never visible, safe to replace.
      await this.call('DELETE', r.url)
    }
    const size = (await stat(input.imagePath)).size
    if (size !== manifest.sizeBytes) {
      throw new IntegrityError(
        `${input.imagePath} is ${size} bytes but its manifest says ${manifest.sizeBytes}`,
        String(manifest.sizeBytes),
        String(size),
      )
    }
    const published: ImageManifest = {
      ...manifest,
      publishedUrl: `${this.server}/${this.options.repository}/releases/download/${encodeURIComponent(tag)}/${encodeURIComponent(names.image)}`,
    }
    const draft = await this.call<ReleaseJson>('POST', this.repoUrl('/releases'), {
      tag_name: tag,
      name: `${manifest.name} ${tag}`,
      body: releaseBody(published),
      draft: true,
      ...(this.options.targetCommitish ? { target_commitish: this.options.targetCommitish } : {}),
    })
    try {
      const image = await this.upload(
        draft,
        names.image,
        'application/octet-stream',
        size,
        manifest.sha256,
        () => createReadStream(input.imagePath, { highWaterMark: READ_CHUNK }),
        signal,
      )
      const sum = Buffer.from(formatSha256File(manifest.sha256, names.image))
      await this.uploadBuffer(draft, names.sha256, 'text/plain', sum, signal)
      await this.uploadBuffer(
        draft,
        names.manifest,
        'application/json',
        Buffer.from(manifestJson(published)),
        signal,
      )
      await this.checkDraft(draft, [names.image, names.sha256, names.manifest])
      const release = await this.call<ReleaseJson>('PATCH', draft.url, {
        draft: false,
        make_latest: input.makeLatest === false ? 'false' : 'true',
      })
      if (release.draft) throw new ImageError(`release ${tag} is still a draft after publishing it`)
      return {
        version: tag,
        manifest: published,
        imageUrl: published.publishedUrl!,
        latestUrl: this.latestUrl(names.image),
        ref: image.url,
      }
    } catch (e) {
      await this.call('DELETE', draft.url).catch(() => undefined)
      throw e
    }
  }

  private async uploadBuffer(
    draft: ReleaseJson,
    name: string,
    type: string,
    data: Buffer,
    signal?: AbortSignal,
  ) {
    const sha = createHash('sha256').update(data).digest('hex')
    return this.upload(draft, name, type, data.length, sha, () => Readable.from([data]), signal)
  }

  /**
   * Streams one asset and checks what GitHub stored (state, size, digest) and what was read
   * (sha256 while sending) against the expected digest. A broken upload leaves a 'starter'
   * asset that blocks the name, so a retry deletes it first.
   */
  private async upload(
    draft: ReleaseJson,
    name: string,
    contentType: string,
    size: number,
    sha256: string,
    open: () => Readable,
    signal?: AbortSignal,
  ): Promise<AssetJson> {
    const url = `${draft.upload_url.replace(/\{[^}]*\}$/, '')}?name=${encodeURIComponent(name)}`
    return withRetries(async (attempt) => {
      // A fresh draft holds no asset of this name; only a failed attempt can have left one.
      if (attempt > 1) await this.removeAsset(draft, name)
      const hashing = new HashingStream()
      const source = open()
      // pipe() does not forward errors: a failing read must fail the request, not stall it.
      source.on('error', (e) => hashing.destroy(e))
      const body = source.pipe(hashing)
      const { body: asset } = await sendJson<AssetJson>({
        method: 'POST',
        url,
        headers: this.headers({ 'content-type': contentType, 'content-length': String(size) }),
        body,
        ...(signal ? { signal } : {}),
      })
      checkHashed(
        hashing,
        { sha256, sizeBytes: size },
        (got, want) => `${name}: the file read while uploading has sha256 ${got}, expected ${want}`,
      )
      checkAsset(asset, name, size, sha256)
      return asset
    })
  }

  private async removeAsset(draft: ReleaseJson, name: string): Promise<void> {
    const assets = await this.call<AssetJson[]>('GET', `${draft.url}/assets?per_page=100`)
    for (const a of assets.filter((x) => x.name === name)) await this.call('DELETE', a.url)
  }

  /** The draft, read back, holds exactly the uploaded files, complete. */
  private async checkDraft(draft: ReleaseJson, names: string[]): Promise<void> {
    const assets = await this.call<AssetJson[]>('GET', `${draft.url}/assets?per_page=100`)
    for (const name of names) {
      const a = assets.find((x) => x.name === name)
      if (!a || a.state !== 'uploaded') {
        throw new ImageError(
          `draft release ${draft.tag_name}: ${name} is ${a ? `in state '${a.state}'` : 'missing'} after upload`,
        )
      }
    }
    const extra = assets.filter((a) => !names.includes(a.name))
    if (extra.length)
      throw new ImageError(
        `draft release ${draft.tag_name} has unexpected assets: ${extra.map((a) => a.name).join(', ')}`,
      )
  }
}

function checkAsset(asset: AssetJson, name: string, size: number, sha256: string): void {
  if (asset.state !== 'uploaded')
    throw new ImageError(`${name}: asset state is '${asset.state}' after upload`)
  if (asset.size !== size) {
    throw new IntegrityError(
      `${name}: GitHub stored ${asset.size} bytes, ${size} were sent`,
      String(size),
      String(asset.size),
    )
  }
  // Older GitHub Enterprise servers report no digest; size and the hash taken while sending remain.
  if (asset.digest && asset.digest !== `sha256:${sha256}`) {
    throw new IntegrityError(
      `${name}: GitHub stored digest ${asset.digest}, expected sha256:${sha256}`,
      sha256,
      asset.digest,
    )
  }
}

function releaseBody(m: ImageManifest): string {
  return [
    `Appliance image **${m.name}** ${m.version}`,
    '',
    `- source commit: ${m.sourceCommit}`,
    `- elements: ${m.elements.join(' ')}`,
    `- diskimage-builder: ${m.diskimageBuilderVersion}`,
    `- built: ${m.buildTime}`,
    `- size: ${m.sizeBytes} bytes`,
    `- sha256: \`${m.sha256}\``,
  ].join('\n')
}
