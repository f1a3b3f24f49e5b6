import type { IncomingMessage, ServerResponse } from 'node:http'
import type { GitHubState } from './state.js'
import type { Faults } from './faults.js'
import { sendError } from './http.js'

/**
 * GitHub Enterprise Server's layout on one host, so a single 127.0.0.1 port can stand in for
 * api.github.com, uploads.github.com and github.com: the REST API under `/api/v3`, the upload
 * endpoint under `/api/uploads`, web pages and downloads at `/`. Octokit and @actions/* clients
 * accept this layout through GITHUB_API_URL / GITHUB_SERVER_URL.
 */
export type Surface = 'api' | 'uploads' | 'web'

export const SURFACE_PREFIX: Record<Surface, string> = { api: '/api/v3', uploads: '/api/uploads', web: '' }

export interface ServerUrls {
  /** http://127.0.0.1:PORT — what GITHUB_SERVER_URL holds. */
  server: string
  /** server + /api/v3 — what GITHUB_API_URL holds. */
  api: string
  uploads: string
}

/** Who is calling: the login a valid token belongs to, or undefined for an anonymous request. */
export interface Caller {
  login?: string
  token?: string
}

export interface RequestContext {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  params: Record<string, string>
  caller: Caller
  state: GitHubState
  faults: Faults
  urls: ServerUrls
  /** Link for error bodies' documentation_url (the docs page of the route). */
  docs: string
}

export type Handler = (ctx: RequestContext) => void | Promise<void>

export interface RouteOptions {
  /** 'required': 401 without a valid token (GitHub answers "Requires authentication"). */
  auth?: 'required' | 'optional'
  /** docs.github.com path of the endpoint, echoed in error bodies as GitHub does. */
  docs?: string
}

interface Route {
  method: string
  surface: Surface
  segments: string[]
  handler: Handler
  options: RouteOptions
}

/**
 * A route file is a function that registers its routes; extra files (workflow dispatch, runs)
 * are passed to startGitHubServer({ routes: [...] }) next to the built-in ones.
 */
export type RouteModule = (router: Router) => void

export class Router {
  private readonly routes: Route[] = []

  add(method: string, surface: Surface, pattern: string, handler: Handler, options: RouteOptions = {}): this {
    this.routes.push({ method: method.toUpperCase(), surface, segments: split(pattern), handler, options })
    return this
  }

  api(method: string, pattern: string, handler: Handler, options?: RouteOptions): this {
    return this.add(method, 'api', pattern, handler, options)
  }

  uploads(method: string, pattern: string, handler: Handler, options?: RouteOptions): this {
    return this.add(method, 'uploads', pattern, handler, options)
  }

  web(method: string, pattern: string, handler: Handler, options?: RouteOptions): this {
    return this.add(method, 'web', pattern, handler, options)
  }

  /** Finds the route for a request; `methodMismatch` tells 404 from 405 apart. */
  match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | 'methodMismatch' | undefined {
    const surface: Surface = path.startsWith('/api/v3/')
      ? 'api'
      : path.startsWith('/api/uploads/')
        ? 'uploads'
        : 'web'
    const parts = split(path.slice(SURFACE_PREFIX[surface].length))
    let pathMatched = false
    // Literal segments win over parameters (`releases/latest` before `releases/:release_id`).
    const candidates = this.routes
      .filter((r) => r.surface === surface && r.segments.length === parts.length)
      .map((r) => ({ r, params: bind(r.segments, parts) }))
      .filter((c): c is { r: Route; params: Record<string, string> } => c.params !== undefined)
      .sort((a, b) => Object.keys(a.params).length - Object.keys(b.params).length)
    for (const c of candidates) {
      pathMatched = true
      if (c.r.method === method || (method === 'HEAD' && c.r.method === 'GET'))
        return { route: c.r, params: c.params }
    }
    return pathMatched ? 'methodMismatch' : undefined
  }

  async dispatch(ctx: Omit<RequestContext, 'params' | 'docs'>): Promise<void> {
    const found = this.match(ctx.req.method ?? 'GET', ctx.url.pathname)
    const full = { ...ctx, params: {}, docs: 'https://docs.github.com/rest' } as RequestContext
    if (found === undefined) return sendError(full, 404, 'Not Found')
    if (found === 'methodMismatch') return sendError(full, 405, 'Method Not Allowed')
    full.params = found.params
    if (found.route.options.docs) full.docs = `https://docs.github.com/rest/${found.route.options.docs}`
    if (found.route.options.auth === 'required' && !ctx.caller.login) {
      return sendError(full, 401, 'Requires authentication')
    }
    await found.route.handler(full)
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0)
}

function bind(pattern: string[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {}
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!
    const v = parts[i]!
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(v)
      } catch {
        return undefined
      }
    } else if (p !== v) return undefined
  }
  return params
}
