/** Where GitHub is: the web server (links, release pages) and its REST API. */
export interface GitHubUrls {
  server: string
  api: string
}

/** github.com's API is a host of its own; GitHub Enterprise Server serves it under /api/v3. */
export function githubApiFor(server: URL): string {
  return server.hostname === 'github.com' ? 'https://api.github.com' : `${server.origin}/api/v3`
}

/**
 * The GitHub a workflow runs on, from GITHUB_SERVER_URL (default github.com, trailing slashes
 * dropped) and GITHUB_API_URL (default derived from the server, so GHES gets <server>/api/v3).
 */
export function githubUrlsFromEnv(env: Record<string, string | undefined> = process.env): GitHubUrls {
  const server = githubServerFromEnv(env)
  return { server, api: env.GITHUB_API_URL || githubApiFor(new URL(server)) }
}

/** The web server alone (GITHUB_SERVER_URL, default github.com, no trailing slash). */
export function githubServerFromEnv(env: Record<string, string | undefined> = process.env): string {
  return (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
}
