import { resolve } from 'node:path'
import { githubApiFor, githubUrlsFromEnv } from '@stackci/model'
import { ImageError } from './errors.js'
import { GitHubReleasesBackend } from './github-releases-backend.js'
import { LocalDirectoryBackend } from './local-directory-backend.js'
import type { PublishBackend } from './publish-backend.js'

export interface LocationOptions {
  token?: string
  imageName?: string
  targetCommitish?: string
  /**
   * The caller's environment (an action's, the CLI's): its GITHUB_SERVER_URL / GITHUB_API_URL
   * place `github:owner/repo` (default github.com). process.env is read only when passed here.
   */
  env?: Record<string, string | undefined>
  /** What a relative directory is resolved against (default the working directory). */
  baseDir?: string
}

/**
 * A publish location as users write it:
 * - `github:owner/repo` — releases of that repository on GITHUB_SERVER_URL (github.com by default);
 * - `https://github.com/owner/repo[/releases]` — the same, by URL; any other host is taken as
 *   GitHub Enterprise Server (API under /api/v3), which is also the test server's layout;
 * - `file:///path`, `/path` or `./path` — a local directory.
 */
export function backendForLocation(location: string, options: LocationOptions = {}): PublishBackend {
  const text = location.trim()
  if (!text) throw new ImageError('publish location is empty')
  const gh = /^github:([^/\s]+\/[^/\s]+)$/.exec(text)
  if (gh) {
    const { server, api } = githubUrlsFromEnv(options.env ?? {})
    return github(gh[1]!, api, server, options)
  }
  if (/^https?:\/\//.test(text)) {
    const url = new URL(text)
    const m = /^\/([^/]+)\/([^/]+?)(?:\.git)?(?:\/releases(?:\/.*)?)?\/?$/.exec(url.pathname)
    if (!m)
      throw new ImageError(
        `publish location '${location}' is not a repository URL (https://HOST/owner/repo/releases)`,
      )
    return github(`${m[1]}/${m[2]}`, githubApiFor(url), url.origin, options)
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && !text.startsWith('file://')) {
    throw new ImageError(
      `publish location '${location}': unsupported scheme (use github:owner/repo, an https URL or a directory)`,
    )
  }
  const dir = text.startsWith('file://') ? new URL(text).pathname : resolve(options.baseDir ?? '.', text)
  return new LocalDirectoryBackend(dir, options.imageName)
}

function github(
  repository: string,
  apiUrl: string,
  serverUrl: string,
  o: LocationOptions,
): GitHubReleasesBackend {
  return new GitHubReleasesBackend({
    apiUrl,
    serverUrl,
    repository,
    ...(o.token ? { token: o.token } : {}),
    ...(o.imageName ? { imageName: o.imageName } : {}),
    ...(o.targetCommitish ? { targetCommitish: o.targetCommitish } : {}),
  })
}
