import { ContractError, asArray, asNumber, asObject, asOptionalString, asString } from './validate.js'

/** Written next to every built image and published with it; the reuse path trusts nothing else. */
export interface ImageManifest {
  name: string
  version: string
  /** Commit SHA of the appliance source the image was built from. */
  sourceCommit: string
  elements: string[]
  diskimageBuilderVersion: string
  /** ISO 8601 */
  buildTime: string
  format: string
  sizeBytes: number
  sha256: string
  /** Where it was published (release URL), once it is. */
  publishedUrl?: string
}

const SHA256_RE = /^[0-9a-f]{64}$/

export function parseImageManifest(value: unknown, path = 'manifest'): ImageManifest {
  const o = asObject(value, path)
  const sha256 = asString(o.sha256, `${path}.sha256`).toLowerCase()
  if (!SHA256_RE.test(sha256))
    throw new ContractError(`${path}.sha256`, `not a sha256 hex digest: '${sha256}'`)
  const sizeBytes = asNumber(o.sizeBytes, `${path}.sizeBytes`)
  if (!Number.isInteger(sizeBytes) || sizeBytes < 0) {
    throw new ContractError(`${path}.sizeBytes`, `not a size in bytes: ${sizeBytes}`)
  }
  const m: ImageManifest = {
    name: asString(o.name, `${path}.name`),
    version: asString(o.version, `${path}.version`),
    sourceCommit: asString(o.sourceCommit, `${path}.sourceCommit`),
    elements: asArray(o.elements, `${path}.elements`).map((e, i) => asString(e, `${path}.elements[${i}]`)),
    diskimageBuilderVersion: asString(o.diskimageBuilderVersion, `${path}.diskimageBuilderVersion`),
    buildTime: asString(o.buildTime, `${path}.buildTime`),
    format: asString(o.format ?? 'qcow2', `${path}.format`),
    sizeBytes,
    sha256,
  }
  const url = asOptionalString(o.publishedUrl, `${path}.publishedUrl`)
  if (url) m.publishedUrl = url
  return m
}
