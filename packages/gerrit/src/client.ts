import {
  GerritError,
  GerritHttpError,
  GerritInputError,
  GerritNetworkError,
  GerritProtocolError,
} from './errors.js'
import { nodeTransport, type Transport } from './transport.js'
import type {
  AccountInfo,
  BranchInfo,
  ChangeInfo,
  ChangeMessageInfo,
  FileInfo,
  ListChangesOption,
  ReviewInput,
  ReviewResult,
} from './types.js'

export interface GerritClientOptions {
  /** Base URL, with or without a path prefix (https://review.example.org/r); no trailing slash needed. */
  url: string
  /** With both, requests go to /a/ endpoints with HTTP Basic auth; without, anonymously. */
  username?: string
  password?: string
  /** Per attempt (default 30 s, as Zuul's TIMEOUT). */
  timeoutMs?: number
  /** Attempts per request, including the first (default 3). */
  maxAttempts?: number
  /** First backoff; doubles on each retry (default 2000 ms: 2 s, then 4 s). */
  backoffMs?: number
  /** A Retry-After longer than this is not waited for: the request fails instead (default 60 s). */
  maxRetryAfterMs?: number
  sleep?: (ms: number) => Promise<void>
  transport?: Transport
  /** Told about each retry, e.g. to log it. */
  onRetry?: (info: {
    method: string
    path: string
    attempt: number
    delayMs: number
    error: GerritError
  }) => void
}

/**
 * Which change a call is about: `{ project, change }` (sent as the preferred `project~number`, the
 * project URL-encoded), a change number, or an id string used as it is (e.g. ChangeInfo.id, which
 * Gerrit already URL-encodes).
 */
export type ChangeLocator = { project: string; change: number } | number | string

export function changeRouteId(c: ChangeLocator): string {
  if (typeof c === 'number') {
    if (!Number.isInteger(c) || c <= 0) throw new GerritInputError('change', `not a change number: ${c}`)
    return String(c)
  }
  if (typeof c === 'string') {
    if (c === '' || /[/?#\s]/.test(c)) {
      throw new GerritInputError('change', `not a URL-safe change id: '${c}' (use { project, change })`)
    }
    return c
  }
  if (!c.project) throw new GerritInputError('project', 'is empty')
  if (!Number.isInteger(c.change) || c.change <= 0) {
    throw new GerritInputError('change', `not a change number: ${c.change}`)
  }
  return `${encodeURIComponent(c.project)}~${c.change}`
}

function revisionRouteId(revision: string | number): string {
  const r = String(revision)
  if (!/^(current|\d+|[0-9a-f]{4,40})$/.test(r)) {
    throw new GerritInputError('revision', `not a revision id (current, a patch set number or a SHA): '${r}'`)
  }
  return r
}

export interface RequestOptions {
  /**
   * For writes: asked, before a retry, whether an attempt whose outcome is unknown (timeout, reset,
   * 5xx) was applied after all. True ends the call as a success without sending again.
   */
  alreadyApplied?: () => Promise<boolean>
}

export interface WriteResult<T> {
  value?: T
  /** The write was found applied by `alreadyApplied` after a lost reply. */
  recovered: boolean
  attempts: number
}

const XSSI = ")]}'"

export class GerritClient {
  readonly baseUrl: string
  private readonly auth?: string
  private readonly timeoutMs: number
  private readonly maxAttempts: number
  private readonly backoffMs: number
  private readonly maxRetryAfterMs: number
  private readonly sleep: (ms: number) => Promise<void>
  private readonly transport: Transport
  private readonly onRetry?: GerritClientOptions['onRetry']

  constructor(opts: GerritClientOptions) {
    let url: URL
    try {
      url = new URL(opts.url)
    } catch {
      throw new GerritInputError('gerrit-url', `not a URL: '${opts.url}'`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new GerritInputError('gerrit-url', `must be http(s), got '${url.protocol}'`)
    }
    if (url.username || url.password) {
      throw new GerritInputError('gerrit-url', 'must not contain credentials; pass username and password')
    }
    if (url.search || url.hash) throw new GerritInputError('gerrit-url', 'must not have a query or fragment')
    this.baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, '')}`
    if ((opts.username && !opts.password) || (!opts.username && opts.password)) {
      throw new GerritInputError(opts.username ? 'password' : 'username', 'is needed with the other one')
    }
    if (opts.username && opts.password) {
      this.auth = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`
    }
    this.timeoutMs = opts.timeoutMs ?? 30_000
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 3)
    this.backoffMs = opts.backoffMs ?? 2000
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 60_000
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)))
    this.transport = opts.transport ?? nodeTransport
    this.onRetry = opts.onRetry
  }

  get authenticated(): boolean {
    return this.auth !== undefined
  }

  /**
   * Query Changes, following `_more_changes` with `S=` until done or `limit` changes were read.
   * When the limit cuts the list, the last change keeps `_more_changes: true`.
   */
  async queryChanges(
    query: string,
    opts: { options?: ListChangesOption[]; pageSize?: number; limit?: number } = {},
  ): Promise<ChangeInfo[]> {
    if (!query.trim()) throw new GerritInputError('query', 'is empty')
    const pageSize = opts.pageSize ?? 100
    const limit = opts.limit ?? 1000
    const out: ChangeInfo[] = []
    for (;;) {
      const n = Math.min(pageSize, limit - out.length)
      const params = new URLSearchParams({ q: query, n: String(n) })
      if (out.length > 0) params.set('S', String(out.length))
      for (const o of opts.options ?? []) params.append('o', o)
      const page = await this.get<ChangeInfo[]>(`changes/?${params}`)
      if (!Array.isArray(page)) throw new GerritProtocolError(`GET changes/: expected a list of changes`)
      out.push(...page)
      const more = page.at(-1)?._more_changes === true
      if (!more || page.length === 0) break
      if (out.length >= limit) return out
      delete out.at(-1)!._more_changes
    }
    return out
  }

  async getChange(change: ChangeLocator, options: ListChangesOption[] = []): Promise<ChangeInfo> {
    const params = new URLSearchParams()
    for (const o of options) params.append('o', o)
    const q = params.size ? `?${params}` : ''
    return this.get<ChangeInfo>(`changes/${changeRouteId(change)}${q}`)
  }

  /** List Files of a revision (with Gerrit's magic /COMMIT_MSG entry). */
  async listFiles(
    change: ChangeLocator,
    revision: string | number = 'current',
  ): Promise<Record<string, FileInfo>> {
    return this.get(`changes/${changeRouteId(change)}/revisions/${revisionRouteId(revision)}/files/`)
  }

  async listMessages(change: ChangeLocator): Promise<ChangeMessageInfo[]> {
    return this.get(`changes/${changeRouteId(change)}/messages`)
  }

  async listBranches(project: string): Promise<BranchInfo[]> {
    if (!project) throw new GerritInputError('project', 'is empty')
    return this.get(`projects/${encodeURIComponent(project)}/branches/`)
  }

  async getSelf(): Promise<AccountInfo> {
    if (!this.auth) throw new GerritInputError('username', 'accounts/self needs credentials')
    return this.get('accounts/self')
  }

  /** Set Review. Retries per the rules above; see RequestOptions.alreadyApplied for lost replies. */
  async setReview(
    change: ChangeLocator,
    revision: string | number,
    input: ReviewInput,
    opts: RequestOptions = {},
  ): Promise<WriteResult<ReviewResult>> {
    const path = `changes/${changeRouteId(change)}/revisions/${revisionRouteId(revision)}/review`
    return this.write<ReviewResult>(path, input, opts)
  }

  /** Submit; a lost reply is resolved by looking whether the change is merged. */
  async submit(change: ChangeLocator, opts: RequestOptions = {}): Promise<WriteResult<ChangeInfo>> {
    const alreadyApplied =
      opts.alreadyApplied ?? (async () => (await this.getChange(change)).status === 'MERGED')
    return this.write<ChangeInfo>(`changes/${changeRouteId(change)}/submit`, {}, { alreadyApplied })
  }

  async get<T>(path: string): Promise<T> {
    const { value } = await this.request<T>('GET', path)
    return value as T
  }

  private async write<T>(path: string, body: unknown, opts: RequestOptions): Promise<WriteResult<T>> {
    return this.request<T>('POST', path, body, opts)
  }

  private url(path: string): string {
    return `${this.baseUrl}${this.auth ? '/a' : ''}/${path}`
  }

  /** One call with up to maxAttempts attempts; 400, 401, 403, 404, 409 and other 4xx end it at once. */
  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
    opts: RequestOptions = {},
  ): Promise<WriteResult<T>> {
    // What errors and logs show: the URL's path (prefix included), no host, query or credentials.
    const shownPath = new URL(this.url(path)).pathname
    let lastError: GerritError | undefined
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1 && lastError?.outcomeUnknown && opts.alreadyApplied) {
        if (await this.check(opts.alreadyApplied, method, shownPath, lastError)) {
          return { recovered: true, attempts: attempt - 1 }
        }
      }
      try {
        const value = await this.attempt<T>(method, path, shownPath, body)
        return { value, recovered: false, attempts: attempt }
      } catch (e) {
        if (!(e instanceof GerritError)) throw e
        e.attempts = attempt
        lastError = e
        if (!e.retryable || attempt === this.maxAttempts) break
        let delay = this.backoffMs * 2 ** (attempt - 1)
        if (e instanceof GerritHttpError && e.retryAfterSeconds !== undefined) {
          const wanted = e.retryAfterSeconds * 1000
          if (wanted > this.maxRetryAfterMs) break
          delay = Math.max(delay, wanted)
        }
        this.onRetry?.({ method, path: shownPath, attempt, delayMs: delay, error: e })
        await this.sleep(delay)
      }
    }
    // The last attempt's outcome may still be unknown: one last look saves a false failure.
    if (
      lastError?.outcomeUnknown &&
      opts.alreadyApplied &&
      (await this.check(opts.alreadyApplied, method, shownPath, lastError))
    ) {
      return { recovered: true, attempts: lastError.attempts }
    }
    throw lastError
  }

  /** Runs an "was it applied?" check; if the check fails too, the outcome stays unknown and says so. */
  private async check(
    alreadyApplied: () => Promise<boolean>,
    method: string,
    shownPath: string,
    lastError: GerritError,
  ): Promise<boolean> {
    try {
      return await alreadyApplied()
    } catch (e) {
      const err = new GerritError(
        `${method} ${shownPath}: attempt ${lastError.attempts} may or may not have been applied ` +
          `(${lastError.message}), and checking failed: ${(e as Error).message}`,
        { retryable: true, outcomeUnknown: true, cause: e },
      )
      err.attempts = lastError.attempts
      throw err
    }
  }

  private async attempt<T>(method: string, path: string, shownPath: string, body: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (this.auth) headers.Authorization = this.auth
    let text: string | undefined
    if (body !== undefined) {
      text = JSON.stringify(body)
      headers['Content-Type'] = 'application/json; charset=UTF-8'
    }
    let res
    try {
      res = await this.transport({
        method,
        url: this.url(path),
        headers,
        body: text,
        timeoutMs: this.timeoutMs,
      })
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'ECONNRESET'
      throw new GerritNetworkError(method, shownPath, code, e)
    }
    if (res.status < 200 || res.status > 299) {
      throw new GerritHttpError(
        method,
        shownPath,
        res.status,
        res.body.trim(),
        retryAfter(res.headers['retry-after']),
      )
    }
    return parseJson<T>(res.body, method, shownPath)
  }
}

/** Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim())
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000))
}

/** Strips the `)]}'` line Gerrit puts before every JSON reply (rest-api.txt "Output Format"). */
export function parseJson<T>(body: string, method: string, path: string): T {
  const text = body.startsWith(XSSI) ? body.slice(XSSI.length) : body
  if (text.trim() === '') return undefined as T
  try {
    return JSON.parse(text) as T
  } catch {
    throw new GerritProtocolError(`${method} ${path}: reply is not JSON: ${text.slice(0, 120)}`)
  }
}
