import type { Readable } from 'node:stream'
import type { ImageManifest } from '@stackci/model'

/** One published version of an image, as a backend found it. */
export interface PublishedImage {
  version: string
  /** The published manifest (its sha256 is what every download is checked against). */
  manifest: ImageManifest
  /** Where this version's image can be downloaded (URL, or path for a local directory). */
  imageUrl: string
  /** The stable "latest" location, which moves when a newer version is published. */
  latestUrl: string
  /** Backend handle for openImage (asset API URL, file path). */
  ref: string
}

export interface PublishInput {
  /** The image file; its sha256 and size must match the manifest. */
  imagePath: string
  manifest: ImageManifest
  /** Move "latest" to this version (default true). */
  makeLatest?: boolean
}

/**
 * Where images are published. A backend must make publishing atomic for readers: until
 * publish() returns, resolve() and the latest URL still give the previous version, complete and
 * valid; a publish that fails at any point leaves nothing a reader can see. GitHub Releases does
 * this with draft releases; a directory with rename(2); S3-compatible storage or Swift would
 * upload under a version prefix and then rewrite one small `latest` object last.
 */
export interface PublishBackend {
  /** For messages: "GitHub releases of owner/repo at https://…", "directory /srv/images". */
  readonly description: string
  publish(input: PublishInput, signal?: AbortSignal): Promise<PublishedImage>
  /** The latest image, or the given version. Throws ImageNotFoundError. */
  resolve(version?: string): Promise<PublishedImage>
  /** Published versions, newest first. */
  listVersions(): Promise<string[]>
  deleteVersion(version: string): Promise<void>
  /** The image's bytes; the caller hashes them against the manifest. */
  openImage(image: PublishedImage, signal?: AbortSignal): Promise<Readable>
}
