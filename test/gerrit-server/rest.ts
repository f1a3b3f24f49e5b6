import { changeInfo, fileInfoMap, messageInfo, QUERY_OPTIONS, type RenderContext } from './entities.js'
import { jsonReply, textReply, type Reply } from './http.js'
import { GerritHttpError, type Account, type GerritModel } from './model.js'
import { parseQuery } from './query.js'

/**
 * The REST endpoints of the test server, following rest-api-changes.txt and rest-api-projects.txt:
 * Query Changes, Get Change (and /detail), List Change Messages, List Files, Set Review, Submit,
 * Abandon, Restore, List Branches, Get Own Account, Get Version.
 */

export interface RestRequest {
  method: string
  /** Decoded path segments after the prefix and `/a/`: ['changes', 'p~1', 'revisions', ...]. */
  segments: string[]
  params: URLSearchParams
  body: string
  caller?: Account
  baseUrl: string
}

/** Gerrit's default query limit (queryLimit) for a page of Query Changes. */
export const DEFAULT_QUERY_LIMIT = 500

function options(params: URLSearchParams, extra: string[] = []): Set<string> {
  const opts = new Set(extra)
  for (const o of [...params.getAll('o'), ...params.getAll('O')]) {
    if (!(QUERY_OPTIONS as readonly string[]).includes(o)) {
      throw new GerritHttpError(400, `"${o}" is not a valid value for "-o"`)
    }
    opts.add(o)
  }
  return opts
}

function intParam(params: URLSearchParams, ...names: string[]): number | undefined {
  for (const n of names) {
    const v = params.get(n)
    if (v === null) continue
    if (!/^-?\d+$/.test(v)) throw new GerritHttpError(400, `"${v}" is not a valid value for "${n}"`)
    return Number(v)
  }
  return undefined
}

function parseJsonInput(body: string): Record<string, unknown> {
  if (body.trim() === '') return {}
  let v: unknown
  try {
    v = JSON.parse(body)
  } catch (e) {
    throw new GerritHttpError(400, `Invalid JSON input: ${(e as Error).message}`)
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new GerritHttpError(400, 'Expected JSON object')
  }
  return v as Record<string, unknown>
}

function requireCaller(r: RestRequest): Account {
  if (!r.caller) throw new GerritHttpError(403, 'Authentication required')
  return r.caller
}

const NOTIFY = ['NONE', 'OWNER', 'OWNER_REVIEWERS', 'ALL']

export async function handleRest(model: GerritModel, r: RestRequest): Promise<Reply> {
  const s = r.segments
  const pretty = r.params.get('pp') !== '0'
  const ctx = (opts: Set<string>): RenderContext => ({
    model,
    options: opts,
    caller: r.caller,
    baseUrl: r.baseUrl,
  })
  const get = r.method === 'GET' || r.method === 'HEAD'
  const allow = (ok: boolean) => {
    if (!ok) throw new GerritHttpError(405, 'Method Not Allowed')
  }

  if (s[0] === 'changes' && (s.length === 1 || (s.length === 2 && s[1] === ''))) {
    allow(get)
    return queryChanges(model, r, ctx, pretty)
  }
  if (s[0] === 'changes' && s.length >= 2) {
    const change = model.resolveChange(s[1]!)
    const tail = s.slice(2).filter((x, i, a) => !(x === '' && i === a.length - 1))
    if (tail.length === 0) {
      allow(get)
      return jsonReply(changeInfo(ctx(options(r.params)), change), { pretty })
    }
    if (tail.length === 1 && tail[0] === 'detail') {
      allow(get)
      const o = options(r.params, ['LABELS', 'DETAILED_LABELS', 'DETAILED_ACCOUNTS', 'MESSAGES'])
      return jsonReply(changeInfo(ctx(o), change), { pretty })
    }
    if (tail.length === 1 && tail[0] === 'messages') {
      allow(get)
      return jsonReply(
        change.messages.map((m) => messageInfo(m, true)),
        { pretty },
      )
    }
    if (tail.length === 1 && (tail[0] === 'abandon' || tail[0] === 'restore')) {
      allow(r.method === 'POST')
      const caller = requireCaller(r)
      const input = parseJsonInput(r.body)
      const message = typeof input.message === 'string' ? input.message : undefined
      if (tail[0] === 'abandon') model.abandon(change, caller, message)
      else model.restore(change, caller, message)
      return jsonReply(changeInfo(ctx(new Set()), change), { pretty })
    }
    if (tail.length === 1 && tail[0] === 'submit') {
      allow(r.method === 'POST')
      await model.submit(change, requireCaller(r))
      return jsonReply(changeInfo(ctx(new Set()), change), { pretty })
    }
    if (tail[0] === 'revisions' && tail.length >= 3) {
      const ps = model.resolveRevision(change, tail[1]!)
      const what = tail[2]
      if (what === 'files' && tail.length === 3) {
        allow(get)
        return jsonReply(fileInfoMap(ps), { pretty })
      }
      if (what === 'submit' && tail.length === 3) {
        allow(r.method === 'POST')
        if (ps.number !== model.currentPatchSet(change).number) {
          throw new GerritHttpError(409, `revision ${ps.sha} is not current revision`)
        }
        await model.submit(change, requireCaller(r))
        return jsonReply({ status: 'MERGED' }, { pretty })
      }
      if (what === 'review' && tail.length === 3) {
        allow(r.method === 'POST')
        const caller = requireCaller(r)
        const input = parseJsonInput(r.body)
        const labels: Record<string, number> = {}
        if (input.labels !== undefined) {
          if (typeof input.labels !== 'object' || input.labels === null || Array.isArray(input.labels)) {
            throw new GerritHttpError(400, 'labels must be an object of label name to value')
          }
          for (const [k, v] of Object.entries(input.labels)) {
            const n = typeof v === 'string' ? Number(v.trim()) : v
            if (typeof n !== 'number' || !Number.isInteger(n)) {
              throw new GerritHttpError(400, `label "${k}": ${String(v)} is not a valid value`)
            }
            labels[k] = n
          }
        }
        if (input.message !== undefined && typeof input.message !== 'string') {
          throw new GerritHttpError(400, 'message must be a string')
        }
        if (input.tag !== undefined && typeof input.tag !== 'string') {
          throw new GerritHttpError(400, 'tag must be a string')
        }
        if (input.notify !== undefined && !NOTIFY.includes(String(input.notify))) {
          throw new GerritHttpError(400, `"${String(input.notify)}" is not a valid value for "notify"`)
        }
        const formatOptions = input.response_format_options
        if (formatOptions !== undefined && !Array.isArray(formatOptions)) {
          throw new GerritHttpError(400, 'response_format_options must be a list of query options')
        }
        const result: Record<string, unknown> = model.review(change, ps, caller, {
          message: input.message as string | undefined,
          tag: input.tag as string | undefined,
          labels,
        })
        if (formatOptions) {
          const opts = options(
            new URLSearchParams(formatOptions.map((o): [string, string] => ['o', String(o)])),
          )
          result.change_info = changeInfo(ctx(opts), change)
        }
        return jsonReply(result, { pretty })
      }
    }
    throw new GerritHttpError(404, `Not found: ${s.slice(2).join('/')}`)
  }
  if (s[0] === 'projects' && s.length >= 3 && s[2] === 'branches' && (s.length === 3 || s[3] === '')) {
    allow(get)
    return listBranches(model, r, pretty)
  }
  if (s[0] === 'accounts' && s[1] === 'self' && s.length === 2) {
    allow(get)
    const a = r.caller
    if (!a) throw new GerritHttpError(403, 'Authentication required')
    return jsonReply({ _account_id: a.id, name: a.name, email: a.email, username: a.username }, { pretty })
  }
  if (s[0] === 'config' && s[1] === 'server' && s[2] === 'version') {
    allow(get)
    return jsonReply('3.13.0-stackci-test', { pretty })
  }
  throw new GerritHttpError(404, 'Not Found')
}

function queryChanges(
  model: GerritModel,
  r: RestRequest,
  ctx: (o: Set<string>) => RenderContext,
  pretty: boolean,
): Reply {
  const queries = r.params.getAll('q')
  if (queries.length === 0) queries.push('status:open')
  const opts = options(r.params)
  const n = intParam(r.params, 'n')
  const start = intParam(r.params, 'S', 'start') ?? 0
  const noLimit = r.params.has('no-limit') && r.caller !== undefined
  const pages = queries.map((q) => {
    const parsed = parseQuery(q, model, r.caller)
    const matching = model.changes
      .filter(parsed.match)
      .sort((a, b) => b.updated.getTime() - a.updated.getTime() || b.number - a.number)
    let limit = noLimit ? Infinity : DEFAULT_QUERY_LIMIT
    if (n !== undefined && n > 0) limit = Math.min(limit, n)
    if (parsed.limit !== undefined) limit = Math.min(limit, parsed.limit)
    const page = matching.slice(start, start + limit)
    const infos = page.map((c) => changeInfo(ctx(opts), c))
    if (start + page.length < matching.length && infos.length > 0) infos.at(-1)!._more_changes = true
    return infos
  })
  return jsonReply(queries.length === 1 ? pages[0] : pages, { pretty })
}

async function listBranches(model: GerritModel, r: RestRequest, pretty: boolean): Promise<Reply> {
  const name = r.segments[1]!
  const branches = await model.branches(name)
  const head = await model.headBranch(name)
  let list: { ref: string; revision: string }[] = [
    { ref: 'HEAD', revision: head.replace(/^refs\/heads\//, '') },
    ...branches,
  ]
  const m = r.params.get('m')
  const re = r.params.get('r')
  if (m) list = list.filter((b) => b.ref.toLowerCase().includes(m.toLowerCase()))
  if (re) {
    let rx: RegExp
    try {
      rx = new RegExp(`^(?:${re})$`)
    } catch {
      throw new GerritHttpError(400, `Invalid regular expression: ${re}`)
    }
    list = list.filter((b) => rx.test(b.ref))
  }
  const start = intParam(r.params, 'S', 's') ?? 0
  const n = intParam(r.params, 'n')
  list = list.slice(start, n !== undefined && n > 0 ? start + n : undefined)
  return jsonReply(list, { pretty })
}

export { textReply }
