import { createReadStream, statSync } from 'node:fs'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { redirect, sendError } from '../http.js'
import type { RequestContext, Router } from '../router.js'
import type { ReleaseAsset } from '../state.js'
import { findRepo, latestRelease } from './release-lookup.js'
import { storageUrl } from './release-assets.js'

/**
 * The browser download URLs: `/<owner>/<repo>/releases/latest/download/<name>` redirects to the
 * latest release's asset, `/<owner>/<repo>/releases/download/<tag>/<name>` to the stored body.
 * Drafts are never served here: only a published release can be downloaded by URL.
 */
export function releaseDownloadRoutes(router: Router): void {
  router
    .web('GET', '/:owner/:repo/releases/latest/download/:name', latestDownload)
    .web('GET', '/:owner/:repo/releases/download/:tag/:name', tagDownload)
    .web('GET', '/_storage/release-assets/:asset_id', serve)
}

function latestDownload(ctx: RequestContext): void {
  const repo = findRepo(ctx)
  if (!repo) return
  const release = latestRelease(repo)
  if (!release || !release.assets.some((a) => a.name === ctx.params.name && a.state === 'uploaded')) {
    return sendError(ctx, 404, 'Not Found')
  }
  redirect(
    ctx,
    `${ctx.urls.server}/${repo.fullName}/releases/download/${encodeURIComponent(release.tagName)}/${encodeURIComponent(ctx.params.name!)}`,
  )
}

function tagDownload(ctx: RequestContext): void {
  const repo = findRepo(ctx)
  if (!repo) return
  const release = repo.releases.find((r) => !r.draft && r.tagName === ctx.params.tag)
  const asset = release?.assets.find((a) => a.name === ctx.params.name && a.state === 'uploaded')
  if (!asset) return sendError(ctx, 404, 'Not Found')
  redirect(ctx, storageUrl(ctx, asset.id))
}

function findStored(ctx: RequestContext): ReleaseAsset | undefined {
  for (const repo of ctx.state.repos.values()) {
    for (const release of repo.releases) {
      const a = release.assets.find((x) => String(x.id) === ctx.params.asset_id && x.state === 'uploaded')
      if (a) return a
    }
  }
  return undefined
}

async function serve(ctx: RequestContext): Promise<void> {
  const asset = findStored(ctx)
  if (!asset) return sendError(ctx, 404, 'Not Found')
  asset.downloadCount++
  const size = statSync(asset.file).size
  ctx.res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': size,
    'content-disposition': `attachment; filename=${asset.name}`,
  })
  if (ctx.req.method === 'HEAD') return void ctx.res.end()
  const body = createReadStream(asset.file, { highWaterMark: 1 << 20 })
  // A client that goes away mid-download needs no answer.
  const tamper = ctx.faults.tamperDownloads
  const done = (tamper instanceof RegExp ? tamper.test(asset.name) : tamper)
    ? pipeline(body, flipMiddleByte(size), ctx.res)
    : pipeline(body, ctx.res)
  await done.catch(() => undefined)
}

function flipMiddleByte(size: number): Transform {
  const target = Math.floor(size / 2)
  let offset = 0
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (target >= offset && target < offset + chunk.length) {
        const copy = Buffer.from(chunk)
        copy[target - offset] = copy[target - offset]! ^ 0xff
        chunk = copy
      }
      offset += chunk.length
      cb(null, chunk)
    },
  })
}
