import type { RequestContext } from './router.js'

/** GitHub's error body: message, documentation_url and status (as a string, as GitHub sends it). */
export function sendError(
  ctx: Pick<RequestContext, 'res' | 'docs'>,
  status: number,
  message: string,
  errors?: Array<Record<string, string>>,
): void {
  const body: Record<string, unknown> = { message, documentation_url: ctx.docs, status: String(status) }
  if (errors) body.errors = errors
  sendJson(ctx, status, body)
}

export function sendJson(
  ctx: Pick<RequestContext, 'res'>,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  ctx.res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-github-media-type': 'github.v3; format=json',
    ...headers,
  })
  ctx.res.end(ctx.res.req.method === 'HEAD' ? undefined : text)
}

export function sendNoContent(ctx: Pick<RequestContext, 'res'>): void {
  ctx.res.writeHead(204)
  ctx.res.end()
}

export function redirect(ctx: Pick<RequestContext, 'res'>, location: string): void {
  ctx.res.writeHead(302, { location, 'content-length': 0 })
  ctx.res.end()
}

/** Reads a JSON request body; GitHub answers 400 "Problems parsing JSON" for a bad one. */
export async function readJson(ctx: RequestContext): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = []
  for await (const c of ctx.req) chunks.push(c as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') return {}
  try {
    const v = JSON.parse(text) as unknown
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>
  } catch {
    // fall through to the error
  }
  sendError(ctx, 400, 'Problems parsing JSON')
  return undefined
}

/**
 * `per_page` (default 30, max 100) and `page` (from 1), with the Link header GitHub sends
 * (next/last, and prev/first once past page 1).
 */
export function paginate<T>(
  ctx: RequestContext,
  items: readonly T[],
): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(ctx.url.searchParams.get('per_page') ?? 30) || 30))
  const pageNo = Math.max(1, Number(ctx.url.searchParams.get('page') ?? 1) || 1)
  const last = Math.max(1, Math.ceil(items.length / perPage))
  const link = (p: number, rel: string) => {
    const u = new URL(ctx.url.toString())
    u.searchParams.set('per_page', String(perPage))
    u.searchParams.set('page', String(p))
    return `<${ctx.urls.server}${u.pathname}${u.search}>; rel="${rel}"`
  }
  const links: string[] = []
  if (pageNo > 1) links.push(link(pageNo - 1, 'prev'))
  if (pageNo < last) links.push(link(pageNo + 1, 'next'), link(last, 'last'))
  if (pageNo > 1) links.push(link(1, 'first'))
  const page = items.slice((pageNo - 1) * perPage, pageNo * perPage)
  return { page, headers: links.length ? { link: links.join(', ') } : {} }
}
