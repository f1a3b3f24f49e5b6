import { createHash } from 'node:crypto'
import { createWriteStream, rmSync } from 'node:fs'
import { join } from 'node:path'
import { paginate, redirect, sendError, sendJson, sendNoContent } from '../http.js'
import type { RequestContext, Router } from '../router.js'
import type { ReleaseAsset } from '../state.js'
import { findRelease, findRepo } from './release-lookup.js'
import { assetJson } from './release-views.js'

/** docs.github.com/rest/releases/assets: the upload endpoint, listing, getting and deleting assets. */
export function releaseAssetRoutes(router: Router): void {
  router
    .uploads('POST', '/repos/:owner/:repo/releases/:release_id/assets', upload, {
      auth: 'required',
      docs: 'releases/assets#upload-a-release-asset',
    })
    .api('GET', '/repos/:owner/:repo/releases/:release_id/assets', list, {
      docs: 'releases/assets#list-release-assets',
    })
    .api('GET', '/repos/:owner/:repo/releases/assets/:asset_id', get, {
      docs: 'releases/assets#get-a-release-asset',
    })
    .api('DELETE', '/repos/:owner/:repo/releases/assets/:asset_id', remove, {
      auth: 'required',
      docs: 'releases/assets#delete-a-release-asset',
    })
}

function findAsset(ctx: RequestContext) {
  const repo = findRepo(ctx)
  if (!repo) return undefined
  for (const release of repo.releases) {
    if (release.draft && !ctx.caller.login) continue
    const asset = release.assets.find((a) => String(a.id) === ctx.params.asset_id)
    if (asset) return { repo, release, asset }
  }
  sendError(ctx, 404, 'Not Found')
  return undefined
}

/** GitHub renames what it cannot keep in a file name: every other character becomes a dot. */
function assetFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._+@-]/g, '.')
}

async function upload(ctx: RequestContext): Promise<void> {
  const repo = findRepo(ctx)
  const release = repo && findRelease(ctx, repo, ctx.params.release_id)
  if (!repo || !release) return
  const rawName = ctx.url.searchParams.get('name')
  if (!rawName) {
    return sendError(ctx, 422, 'Validation Failed', [
      { resource: 'ReleaseAsset', code: 'missing_field', field: 'name' },
    ])
  }
  const contentType = ctx.req.headers['content-type']
  if (!contentType) return sendError(ctx, 422, 'Content-Type header is required')
  const lengthHeader = ctx.req.headers['content-length']
  // The upload endpoint wants the size up front; a chunked body has none.
  if (lengthHeader === undefined || !/^\d+$/.test(lengthHeader)) return sendError(ctx, 411, 'Length Required')
  const length = Number(lengthHeader)
  const name = assetFileName(rawName)
  if (release.assets.some((a) => a.name === name)) {
    return sendError(ctx, 422, 'Validation Failed', [
      { resource: 'ReleaseAsset', code: 'already_exists', field: 'name' },
    ])
  }
  const now = ctx.state.now()
  const asset: ReleaseAsset = {
    id: ctx.state.nextId(),
    releaseId: release.id,
    name,
    label: ctx.url.searchParams.get('label'),
    contentType,
    state: 'starter',
    size: 0,
    sha256: null,
    downloadCount: 0,
    createdAt: now,
    updatedAt: now,
    uploader: ctx.caller.login!,
    file: '',
  }
  asset.file = join(ctx.state.storageDir, `asset-${asset.id}`)
  // Registered before the body arrives: an upload that breaks off leaves a 'starter' asset behind,
  // which blocks the name until it is deleted, as on GitHub.
  release.assets.push(asset)

  const breakAfter = ctx.faults.breakUploadAfterBytes
  ctx.faults.breakUploadAfterBytes = undefined
  const hash = createHash('sha256')
  const out = createWriteStream(asset.file)
  let received = 0
  const complete = await new Promise<boolean>((resolve) => {
    let done = false
    const finish = (ok: boolean) => {
      if (done) return
      done = true
      out.end(() => resolve(ok))
    }
    ctx.req.on('data', (chunk: Buffer) => {
      if (done) return
      let piece = chunk
      if (breakAfter !== undefined && received + piece.length >= breakAfter) {
        piece = piece.subarray(0, Math.max(0, breakAfter - received))
        received += piece.length
        hash.update(piece)
        out.write(piece)
        ctx.req.socket.destroy()
        return finish(false)
      }
      received += piece.length
      hash.update(piece)
      if (!out.write(piece)) {
        ctx.req.pause()
        out.once('drain', () => ctx.req.resume())
      }
    })
    ctx.req.on('end', () => finish(received === length))
    ctx.req.on('aborted', () => finish(false))
    ctx.req.on('error', () => finish(false))
    // A request closed before its end: the client went away without an 'aborted' (newer Nodes).
    ctx.req.once('close', () => finish(false))
  })
  asset.size = received
  asset.updatedAt = ctx.state.now()
  if (!complete) {
    if (!ctx.res.headersSent && !ctx.req.socket.destroyed) {
      sendError(ctx, 400, `body has ${received} bytes, Content-Length said ${length}`)
    }
    return
  }
  asset.state = 'uploaded'
  asset.sha256 = hash.digest('hex')
  sendJson(ctx, 201, assetJson(ctx.urls, repo, release, asset))
}

function list(ctx: RequestContext): void {
  const repo = findRepo(ctx)
  const release = repo && findRelease(ctx, repo, ctx.params.release_id)
  if (!repo || !release) return
  const { page, headers } = paginate(ctx, release.assets)
  sendJson(
    ctx,
    200,
    page.map((a) => assetJson(ctx.urls, repo, release, a)),
    headers,
  )
}

/** JSON by default; with `Accept: application/octet-stream` a 302 to the stored body. */
function get(ctx: RequestContext): void {
  const found = findAsset(ctx)
  if (!found) return
  if ((ctx.req.headers.accept ?? '').includes('application/octet-stream')) {
    if (found.asset.state !== 'uploaded') return sendError(ctx, 404, 'Not Found')
    return redirect(ctx, storageUrl(ctx, found.asset.id))
  }
  sendJson(ctx, 200, assetJson(ctx.urls, found.repo, found.release, found.asset))
}

function remove(ctx: RequestContext): void {
  const found = findAsset(ctx)
  if (!found) return
  found.release.assets = found.release.assets.filter((a) => a !== found.asset)
  rmSync(found.asset.file, { force: true })
  sendNoContent(ctx)
}

/** Where bodies are served from, like objects.githubusercontent.com: no auth, one asset per URL. */
export function storageUrl(ctx: RequestContext, assetId: number): string {
  return `${ctx.urls.server}/_storage/release-assets/${assetId}`
}
