import { GerritHttpError, type Account, type Change, type GerritModel } from './model.js'

/**
 * A parser and matcher for the part of Gerrit's search language (user-search.txt) that CI tools
 * use: status/is, project(s), branch, change, owner, topic, after/before, age, label, limit; AND (implicit),
 * OR, NOT / '-', parentheses, quoted and {braced} values, ^regex values for project and branch.
 */

type Predicate = (c: Change) => boolean

export interface ParsedQuery {
  match: Predicate
  /** limit:N inside the query. */
  limit?: number
}

function tokenize(q: string): string[] {
  const tokens: string[] = []
  let i = 0
  while (i < q.length) {
    const ch = q[i]!
    if (/\s/.test(ch)) {
      i++
      continue
    }
    if (ch === '(' || ch === ')') {
      tokens.push(ch)
      i++
      continue
    }
    let tok = ''
    while (i < q.length && !/[\s()]/.test(q[i]!)) {
      const c = q[i]!
      if (c === '"' || c === '{') {
        const close = c === '"' ? '"' : '}'
        const end = q.indexOf(close, i + 1)
        if (end < 0) throw new GerritHttpError(400, `line 1:${i} unterminated ${c} in query`)
        tok += q.slice(i + 1, end)
        i = end + 1
        continue
      }
      tok += c
      i++
    }
    tokens.push(tok)
  }
  return tokens
}

const AGE_UNITS: [RegExp, number][] = [
  [/^(s|sec|second|seconds)$/, 1],
  [/^(m|min|minute|minutes)$/, 60],
  [/^(h|hr|hour|hours)$/, 3600],
  [/^(d|day|days)$/, 86400],
  [/^(w|week|weeks)$/, 7 * 86400],
  [/^(mon|month|months)$/, 30 * 86400],
  [/^(y|year|years)$/, 365 * 86400],
]

function parseAge(v: string): number {
  const m = /^(\d+)([a-z]+)$/.exec(v)
  const unit = m && AGE_UNITS.find(([re]) => re.test(m[2]!))
  if (!m || !unit) throw new GerritHttpError(400, `Unsupported age: ${v}`)
  return Number(m[1]) * unit[1] * 1000
}

function parseDate(v: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v)
    ? `${v}T00:00:00Z`
    : `${v.replace(' ', 'T').replace(/\.\d+$/, '')}Z`
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) throw new GerritHttpError(400, `Unsupported date: ${v}`)
  return d
}

function nameMatcher(value: string): (name: string) => boolean {
  if (value.startsWith('^')) {
    let re: RegExp
    try {
      re = new RegExp(`^(?:${value.slice(1)})$`)
    } catch {
      throw new GerritHttpError(400, `Invalid regular expression: ${value}`)
    }
    return (n) => re.test(n)
  }
  return (n) => n === value
}

export function parseQuery(q: string, model: GerritModel, caller: Account | undefined): ParsedQuery {
  const tokens = tokenize(q)
  let pos = 0
  let limit: number | undefined
  const peek = () => tokens[pos]

  const term = (tok: string): Predicate => {
    const colon = tok.indexOf(':')
    if (colon < 0) {
      if (/^\d+$/.test(tok)) return (c) => c.number === Number(tok)
      if (/^I[0-9a-f]{4,40}$/.test(tok)) return (c) => c.changeId.startsWith(tok)
      throw new GerritHttpError(400, `Unsupported query: ${tok}`)
    }
    const op = tok.slice(0, colon).toLowerCase()
    const value = tok.slice(colon + 1)
    switch (op) {
      case 'status':
      case 'is': {
        const v = value.toLowerCase()
        if (v === 'open' || v === 'pending' || v === 'new') return (c) => c.status === 'NEW'
        if (v === 'closed') return (c) => c.status !== 'NEW'
        if (v === 'merged') return (c) => c.status === 'MERGED'
        if (v === 'abandoned') return (c) => c.status === 'ABANDONED'
        if (op === 'is' && v === 'wip') return (c) => c.workInProgress
        throw new GerritHttpError(400, `Unrecognized value: ${value}`)
      }
      case 'project': {
        const m = nameMatcher(value)
        return (c) => m(c.project.name)
      }
      case 'projects':
        return (c) => c.project.name.startsWith(value)
      case 'branch': {
        const m = nameMatcher(value.replace(/^refs\/heads\//, ''))
        return (c) => m(c.branch)
      }
      case 'change':
        return /^\d+$/.test(value) ? (c) => c.number === Number(value) : (c) => c.changeId.startsWith(value)
      case 'owner': {
        if (value === 'self') {
          if (!caller) throw new GerritHttpError(400, "'owner:self' requires authentication")
          return (c) => c.owner.id === caller.id
        }
        return (c) => c.owner.username === value || c.owner.email === value || String(c.owner.id) === value
      }
      case 'topic':
        return (c) => c.topic === value
      case 'after':
      case 'since': {
        const d = parseDate(value)
        return (c) => c.updated >= d
      }
      case 'before':
      case 'until': {
        const d = parseDate(value)
        return (c) => c.updated <= d
      }
      case 'age': {
        const ms = parseAge(value)
        return (c) => model.now().getTime() - c.updated.getTime() >= ms
      }
      case 'label': {
        // label:NAME(=|>=|<=|>|<)VALUE[,user=ACCOUNT|,ACCOUNT], on the current patch set's votes.
        const m = /^([\w-]+)(>=|<=|=|>|<)([+-]?\d+)(?:,(?:user=)?(.+))?$/.exec(value)
        if (!m) throw new GerritHttpError(400, `Unsupported label query: ${value}`)
        const [, name, cmp, v, who] = m
        const want = Number(v)
        const test = (x: number) =>
          cmp === '='
            ? x === want
            : cmp === '>='
              ? x >= want
              : cmp === '<='
                ? x <= want
                : cmp === '>'
                  ? x > want
                  : x < want
        let account: Account | undefined
        if (who === 'self') {
          if (!caller) throw new GerritHttpError(400, "'user=self' requires authentication")
          account = caller
        } else if (who) {
          account = model.accounts.find((a) => a.username === who || a.email === who || String(a.id) === who)
          if (!account) throw new GerritHttpError(400, `Account '${who}' not found`)
        }
        return (c) =>
          model
            .approvalsOf(c, model.currentPatchSet(c).number)
            .some((a) => a.label === name && (!account || a.account.id === account.id) && test(a.value))
      }
      case 'limit': {
        if (!/^\d+$/.test(value)) throw new GerritHttpError(400, `Invalid limit: ${value}`)
        limit = Number(value)
        return () => true
      }
      default:
        throw new GerritHttpError(400, `Unsupported operator ${op}:${value}`)
    }
  }

  const unary = (): Predicate => {
    const tok = peek()
    if (tok === undefined) throw new GerritHttpError(400, 'query ends early')
    if (tok === 'NOT') {
      pos++
      const p = unary()
      return (c) => !p(c)
    }
    if (tok === '(') {
      pos++
      const p = orExpr()
      if (peek() !== ')') throw new GerritHttpError(400, 'missing ) in query')
      pos++
      return p
    }
    pos++
    if (tok.startsWith('-') && tok.length > 1) {
      const p = term(tok.slice(1))
      return (c) => !p(c)
    }
    return term(tok)
  }
  const andExpr = (): Predicate => {
    const parts = [unary()]
    while (peek() !== undefined && peek() !== ')' && peek() !== 'OR') {
      if (peek() === 'AND') pos++
      parts.push(unary())
    }
    return (c) => parts.every((p) => p(c))
  }
  const orExpr = (): Predicate => {
    const parts = [andExpr()]
    while (peek() === 'OR') {
      pos++
      parts.push(andExpr())
    }
    return (c) => parts.some((p) => p(c))
  }

  if (tokens.length === 0) throw new GerritHttpError(400, 'missing query field')
  const match = orExpr()
  if (pos < tokens.length) throw new GerritHttpError(400, `unexpected '${tokens[pos]}' in query`)
  return { match, limit }
}
