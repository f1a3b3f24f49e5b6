import type { ServerUrls } from '../router.js'
import type { Release, ReleaseAsset, Repository } from '../state.js'

/** JSON shapes of docs.github.com/rest/releases (the fields clients read). */

function user(login: string) {
  return { login, id: 1, type: 'User' }
}

export function assetJson(urls: ServerUrls, repo: Repository, release: Release, a: ReleaseAsset) {
  return {
    url: `${urls.api}/repos/${repo.fullName}/releases/assets/${a.id}`,
    browser_download_url: `${urls.server}/${repo.fullName}/releases/download/${encodeURIComponent(releaseTag(release))}/${encodeURIComponent(a.name)}`,
    id: a.id,
    node_id: `RA_${a.id}`,
    name: a.name,
    label: a.label,
    state: a.state,
    content_type: a.contentType,
    size: a.size,
    digest: a.sha256 ? `sha256:${a.sha256}` : null,
    download_count: a.downloadCount,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    uploader: user(a.uploader),
  }
}

/** A draft has no tag yet; GitHub addresses it as `untagged-<hex>`. */
export function releaseTag(r: Release): string {
  return r.draft ? `untagged-${r.untaggedId}` : r.tagName
}

export function releaseJson(urls: ServerUrls, repo: Repository, r: Release) {
  const base = `${urls.api}/repos/${repo.fullName}/releases/${r.id}`
  return {
    url: base,
    html_url: `${urls.server}/${repo.fullName}/releases/tag/${encodeURIComponent(releaseTag(r))}`,
    assets_url: `${base}/assets`,
    upload_url: `${urls.uploads}/repos/${repo.fullName}/releases/${r.id}/assets{?name,label}`,
    tarball_url: r.draft
      ? null
      : `${urls.api}/repos/${repo.fullName}/tarball/${encodeURIComponent(r.tagName)}`,
    zipball_url: r.draft
      ? null
      : `${urls.api}/repos/${repo.fullName}/zipball/${encodeURIComponent(r.tagName)}`,
    id: r.id,
    node_id: `RE_${r.id}`,
    tag_name: r.tagName,
    target_commitish: r.targetCommitish,
    name: r.name,
    body: r.body,
    draft: r.draft,
    prerelease: r.prerelease,
    created_at: r.createdAt,
    published_at: r.publishedAt,
    author: user(r.author),
    assets: r.assets.map((a) => assetJson(urls, repo, r, a)),
  }
}
