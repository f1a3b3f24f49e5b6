import type { IncomingMessage } from 'node:http'
import { timingSafeEqual } from 'node:crypto'
import type { Account, GerritModel } from './model.js'

/** What a REST handler answers; the server writes it, or loses it when a fault says so. */
export interface Reply {
  status: number
  headers: Record<string, string>
  body: string
}

/** The XSSI prefix of every JSON reply (rest-api.txt "Output Format"). */
export const XSSI_PREFIX = ")]}'"

export function jsonReply(value: unknown, opts: { status?: number; pretty?: boolean } = {}): Reply {
  const text = opts.pretty === false ? JSON.stringify(value) : JSON.stringify(value, null, 2)
  return {
    status: opts.status ?? 200,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': 'attachment',
      'X-Content-Type-Options': 'nosniff',
    },
    body: `${XSSI_PREFIX}\n${text}\n`,
  }
}

export function textReply(status: number, text: string, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers },
    body: text.endsWith('\n') ? text : `${text}\n`,
  }
}

export const UNAUTHORIZED: Reply = textReply(401, 'Unauthorized', {
  'WWW-Authenticate': 'Basic realm="Gerrit Code Review"',
})

/** HTTP Basic credentials checked against the accounts' HTTP passwords; undefined if they do not match. */
export function authenticate(req: IncomingMessage, model: GerritModel): Account | undefined {
  const header = req.headers.authorization
  if (!header || !/^basic /i.test(header)) return undefined
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  const username = decoded.slice(0, colon)
  const password = Buffer.from(decoded.slice(colon + 1))
  const account = model.accounts.find((a) => a.username === username)
  if (!account) return undefined
  const expected = Buffer.from(account.httpPassword)
  return expected.length === password.length && timingSafeEqual(expected, password) ? account : undefined
}

export async function readBody(req: IncomingMessage, limit = 10 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) throw new Error('request body too large')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
