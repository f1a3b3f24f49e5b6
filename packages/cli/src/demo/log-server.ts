import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.xml': 'application/xml',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.subunit': 'application/octet-stream',
}

/**
 * The demo's log server: the report's links must be http(s) URLs (Gerrit and the results plugin
 * only link those), as a third-party CI's public log server would serve them.
 */
export async function startLogServer(
  root: string,
): Promise<{ url: string; close(): Promise<void>; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))
    const file = join(root, path)
    if (!file.startsWith(root + sep) && file !== root) return void res.writeHead(403).end()
    const target = existsSync(file) && statSync(file).isDirectory() ? join(file, 'index.html') : file
    if (!existsSync(target) || !statSync(target).isFile()) return void res.writeHead(404).end('not found\n')
    res.writeHead(200, { 'content-type': TYPES[extname(target)] ?? 'application/octet-stream' })
    createReadStream(target).pipe(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('log server: no port')
  return {
    url: `http://127.0.0.1:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
