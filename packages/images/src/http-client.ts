import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import type { Readable } from 'node:stream'
import { HttpError, ImageError, NetworkError } from './errors.js'

export interface HttpRequest {
  method: string
  url: string
  headers?: Record<string, string>
  /** A string/Buffer, or a stream together with `headers['content-length']` (uploads are never chunked). */
  body?: string | Buffer | Readable
  signal?: AbortSignal
}

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) }

/**
 * One HTTP exchange with node:http, streaming both ways. Redirects are followed for GET and HEAD;
 * Authorization is dropped when a redirect leaves the origin, as curl and octokit do, so a token
 * is never sent to the storage host a download redirects to.
 */
export async function send(req: HttpRequest, redirectsLeft = 5): Promise<IncomingMessage> {
  const url = new URL(req.url)
  const doRequest =
    url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined
  if (!doRequest) throw new ImageError(`unsupported URL scheme in ${req.url}`)
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const r = doRequest(url, {
      method: req.method,
      headers: { 'user-agent': 'stackci-images', ...req.headers },
      agent: url.protocol === 'https:' ? agents.https : agents.http,
      signal: req.signal,
    })
    r.on('response', resolve)
    r.on('error', (e) => reject(new NetworkError(`${req.method} ${req.url}: ${e.message}`)))
    const body = req.body
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) r.end(body)
    else {
      body.on('error', (e) => r.destroy(e))
      body.pipe(r)
    }
  })
  const status = res.statusCode ?? 0
  if (
    [301, 302, 303, 307, 308].includes(status) &&
    res.headers.location &&
    ['GET', 'HEAD'].includes(req.method)
  ) {
    res.resume()
    if (redirectsLeft === 0) throw new ImageError(`${req.method} ${req.url}: too many redirects`)
    const next = new URL(res.headers.location, url)
    const headers = { ...req.headers }
    if (next.origin !== url.origin) {
      for (const k of Object.keys(headers)) if (k.toLowerCase() === 'authorization') delete headers[k]
    }
    return send({ ...req, url: next.toString(), headers }, redirectsLeft - 1)
  }
  return res
}

export async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of res) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Fails with HttpError for any status outside 2xx, carrying the server's message. */
export async function expectOk(res: IncomingMessage, method: string, url: string): Promise<IncomingMessage> {
  const status = res.statusCode ?? 0
  if (status >= 200 && status < 300) return res
  const text = await readBody(res).catch(() => '')
  let detail = text.slice(0, 300)
  try {
    const j = JSON.parse(text) as { message?: string; errors?: unknown }
    if (j.message) detail = j.errors ? `${j.message} ${JSON.stringify(j.errors)}` : j.message
  } catch {
    // not JSON: keep the text
  }
  throw new HttpError(status, method, url, detail)
}

export async function sendJson<T>(req: HttpRequest): Promise<{ body: T; res: IncomingMessage }> {
  const res = await expectOk(await send(req), req.method, req.url)
  const text = await readBody(res)
  return { body: (text ? JSON.parse(text) : undefined) as T, res }
}

/**
 * Runs `attempt` again after transient failures (5xx, 429, connection errors) with a short backoff.
 * `attempt` gets its 1-based attempt number, so a retry can clean up after the try before it.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  tries = 3,
  baseDelayMs = 250,
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt(i)
    } catch (e) {
      const transient = (e instanceof HttpError && e.retryable) || e instanceof NetworkError
      if (!transient || i >= tries) throw e
      await new Promise((r) => setTimeout(r, baseDelayMs * 2 ** (i - 1)))
    }
  }
}

/** The URL of rel="next" in a Link header. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(', ') : header
  if (!text) return undefined
  for (const part of text.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part)
    if (m) return m[1]
  }
  return undefined
}
