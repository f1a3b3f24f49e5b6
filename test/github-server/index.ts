import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Faults } from './faults.js'
import { sendError } from './http.js'
import { releaseAssetRoutes } from './routes/release-assets.js'
import { releaseDownloadRoutes } from './routes/release-downloads.js'
import { releaseRoutes } from './routes/releases.js'
import { Router, type Caller, type RouteModule, type ServerUrls } from './router.js'
import { GitHubState } from './state.js'

export { Faults, type FailureRule } from './faults.js'
export { paginate, readJson, redirect, sendError, sendJson, sendNoContent } from './http.js'
export {
  Router,
  type Handler,
  type RequestContext,
  type RouteModule,
  type RouteOptions,
  type ServerUrls,
} from './router.js'
export { GitHubState, type Release, type ReleaseAsset, type Repository } from './state.js'

/** The route files every server has; others come in through options.routes. */
export const builtinRoutes: RouteModule[] = [releaseRoutes, releaseAssetRoutes, releaseDownloadRoutes]

export interface GitHubServerOptions {
  /** Extra route files (e.g. routes/actions.ts), registered after the built-in ones. */
  routes?: RouteModule[]
  /** Seeded as valid tokens (→ login); default { 'test-token': 'stackci-bot' }. */
  tokens?: Record<string, string>
  /** Repositories to create, owner/name (public). */
  repos?: string[]
}

export interface RequestRecord {
  method: string
  path: string
  status: number
}

export interface GitHubServer {
  urls: ServerUrls
  /** Env a client or an action under test needs to talk to this server instead of github.com. */
  env: { GITHUB_SERVER_URL: string; GITHUB_API_URL: string }
  state: GitHubState
  faults: Faults
  /** Every request answered, in order (method, path with query, status). */
  requests: RequestRecord[]
  close(): Promise<void>
}

/** `Authorization: Bearer <t>` or `token <t>`; a token the server does not know is a 401. */
function authenticate(header: string | undefined, state: GitHubState): Caller | 'bad' {
  if (!header) return {}
  const m = /^(?:bearer|token)\s+(\S+)$/i.exec(header.trim())
  const login = m ? state.tokens.get(m[1]!) : undefined
  return login ? { login, token: m![1] } : 'bad'
}

export async function startGitHubServer(options: GitHubServerOptions = {}): Promise<GitHubServer> {
  const state = new GitHubState()
  for (const [token, login] of Object.entries(options.tokens ?? { 'test-token': 'stackci-bot' }))
    state.addToken(token, login)
  for (const repo of options.repos ?? []) state.addRepo(repo)
  const faults = new Faults()
  const router = new Router()
  for (const mod of [...builtinRoutes, ...(options.routes ?? [])]) mod(router)
  const requests: RequestRecord[] = []
  const urls: ServerUrls = { server: '', api: '', uploads: '' }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    res.on('finish', () =>
      requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, status: res.statusCode }),
    )
    const base = { req, res, url, state, faults, urls, docs: 'https://docs.github.com/rest' }
    const failure = faults.takeFailure(req.method ?? 'GET', url.pathname)
    if (failure) {
      req.resume()
      return sendError(base, failure.status, failure.message ?? 'Server Error')
    }
    const caller = authenticate(req.headers.authorization, state)
    if (caller === 'bad') {
      req.resume()
      return sendError(base, 401, 'Bad credentials')
    }
    router.dispatch({ ...base, caller }).catch((e: unknown) => {
      if (!res.headersSent) sendError(base, 500, `test server: ${(e as Error).message}`)
      else res.destroy()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  urls.server = `http://127.0.0.1:${port}`
  urls.api = `${urls.server}/api/v3`
  urls.uploads = `${urls.server}/api/uploads`

  return {
    urls,
    env: { GITHUB_SERVER_URL: urls.server, GITHUB_API_URL: urls.api },
    state,
    faults,
    requests,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      state.dispose()
    },
  }
}
