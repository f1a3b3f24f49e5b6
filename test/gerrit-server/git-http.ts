import { spawn } from 'node:child_process'
import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Serves a fetch through real `git http-backend` (CGI), as Gerrit serves /<project> and
 * /a/<project>. Only upload-pack: changes reach the server through the fixture API, never a push.
 */
export function serveGit(
  req: IncomingMessage,
  res: ServerResponse,
  opts: { gitRoot: string; project: string; rest: string; query: string; user?: string },
): void {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: opts.gitRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: `/${opts.project}.git/${opts.rest}`,
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: opts.query,
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
  }
  if (opts.user) env.REMOTE_USER = opts.user
  if (req.headers['content-length']) env.CONTENT_LENGTH = String(req.headers['content-length'])
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding'])
  if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol'])
  const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  req.pipe(cgi.stdin)
  let head = Buffer.alloc(0)
  let headersDone = false
  let stderr = ''
  cgi.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk)
      return
    }
    head = Buffer.concat([head, chunk])
    const end = head.indexOf('\r\n\r\n')
    const endLf = head.indexOf('\n\n')
    const cut = end >= 0 ? end : endLf
    if (cut < 0) return
    const sepLen = end >= 0 ? 4 : 2
    const lines = head.subarray(0, cut).toString('latin1').split(/\r?\n/)
    let status = 200
    for (const line of lines) {
      const i = line.indexOf(':')
      if (i <= 0) continue
      const name = line.slice(0, i).trim()
      const value = line.slice(i + 1).trim()
      if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0])
      else res.setHeader(name, value)
    }
    res.statusCode = status
    headersDone = true
    res.write(head.subarray(cut + sepLen))
  })
  cgi.on('close', (code) => {
    if (!headersDone) {
      res.statusCode = 500
      res.setHeader('Content-Type', 'text/plain; charset=utf-8')
      res.end(`git http-backend failed (${code}): ${stderr}`)
      return
    }
    res.end()
  })
  cgi.on('error', (e) => {
    if (!res.headersSent) {
      res.statusCode = 500
      res.end(`cannot run git http-backend: ${e.message}`)
    }
  })
}
