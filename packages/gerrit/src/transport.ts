import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'

/** One HTTP exchange; the client's retry logic sits above it, so tests can drive it with a fake. */
export interface HttpRequest {
  method: string
  url: string
  headers: Record<string, string>
  body?: string
  timeoutMs: number
}

export interface HttpResponse {
  status: number
  headers: Record<string, string | undefined>
  body: string
}

/** Rejects with an Error whose `code` is set (ECONNRESET, ECONNREFUSED, ETIMEDOUT, ...). */
export type Transport = (req: HttpRequest) => Promise<HttpResponse>

/** node:http(s) transport: the timeout covers the whole exchange, from connect to the last byte. */
export const nodeTransport: Transport = (req) =>
  new Promise((resolve, reject) => {
    const url = new URL(req.url)
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    let settled = false
    const fail = (e: Error & { code?: string }) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      reject(e)
    }
    const r = send(url, { method: req.method, headers: req.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', fail)
      res.on('aborted', () => fail(Object.assign(new Error('reply aborted'), { code: 'ECONNRESET' })))
      res.on('end', () => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        const headers: Record<string, string | undefined> = {}
        for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') })
      })
    })
    const timer = setTimeout(() => {
      fail(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }))
      r.destroy()
    }, req.timeoutMs)
    r.on('error', (e: Error & { code?: string }) =>
      fail(e.code ? e : Object.assign(e, { code: 'ECONNRESET' })),
    )
    r.end(req.body)
  })
