import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { paginate, readJson, sendError, sendJson, sendNoContent } from '../http.js'
import type { RequestContext, Router } from '../router.js'
import { newestFirst, type Release, type Repository } from '../state.js'
import { findRelease, findRepo, latestRelease, visibleReleases } from './release-lookup.js'
import { releaseJson } from './release-views.js'

/** docs.github.com/rest/releases/releases, and the git-refs call that removes a release's tag. */
export function releaseRoutes(router: Router): void {
  router
    .api('GET', '/repos/:owner/:repo/releases', list, { docs: 'releases/releases#list-releases' })
    .api('POST', '/repos/:owner/:repo/releases', create, {
      auth: 'required',
      docs: 'releases/releases#create-a-release',
    })
    .api('GET', '/repos/:owner/:repo/releases/latest', latest, {
      docs: 'releases/releases#get-the-latest-release',
    })
    .api('GET', '/repos/:owner/:repo/releases/tags/:tag', byTag, {
      docs: 'releases/releases#get-a-release-by-tag-name',
    })
    .api('GET', '/repos/:owner/:repo/releases/:release_id', get, { docs: 'releases/releases#get-a-release' })
    .api('PATCH', '/repos/:owner/:repo/releases/:release_id', update, {
      auth: 'required',
      docs: 'releases/releases#update-a-release',
    })
    .api('DELETE', '/repos/:owner/:repo/releases/:release_id', remove, {
      auth: 'required',
      docs: 'releases/releases#delete-a-release',
    })
    .api('DELETE', '/repos/:owner/:repo/git/refs/tags/:tag', deleteTag, {
      auth: 'required',
      docs: 'git/refs#delete-a-reference',
    })
}

function list(ctx: RequestContext): void {
  const repo = findRepo(ctx)
  if (!repo) return
  const all = [...visibleReleases(ctx, repo)].sort(newestFirst)
  const { page, headers } = paginate(ctx, all)
  sendJson(
    ctx,
    200,
    page.map((r) => releaseJson(ctx.urls, repo, r)),
    headers,
  )
}

function get(ctx: RequestContext): void {
  const repo = findRepo(ctx)
  const release = repo && findRelease(ctx, repo, ctx.params.release_id)
  if (repo && release) sendJson(ctx, 200, releaseJson(ctx.urls, repo, release))
}

function latest(ctx: RequestContext): void {
  const repo = findRepo(ctx)
  if (!repo) return
  const release = latestRelease(repo)
  if (!release) return sendError(ctx, 404, 'Not Found')
  sendJson(ctx, 200, releaseJson(ctx.urls, repo, release))
}

function byTag(ctx: RequestContext): void {
  const repo = findRepo(ctx)
  if (!repo) return
  const release = repo.releases.find((r) => !r.draft && r.tagName === ctx.params.tag)
  if (!release) return sendError(ctx, 404, 'Not Found')
  sendJson(ctx, 200, releaseJson(ctx.urls, repo, release))
}

interface ReleaseFields {
  tag_name?: string
  target_commitish?: string
  name?: string | null
  body?: string | null
  draft?: boolean
  prerelease?: boolean
  make_latest?: 'true' | 'false' | 'legacy'
}

/** Checks the body against the endpoint's schema; answers 422 and returns undefined when it is off. */
function releaseFields(
  ctx: RequestContext,
  raw: Record<string, unknown>,
  creating: boolean,
): ReleaseFields | undefined {
  const invalid = (field: string, why: string) => {
    sendError(ctx, 422, 'Validation Failed', [{ resource: 'Release', code: 'invalid', field, message: why }])
    return undefined
  }
  const f: ReleaseFields = {}
  for (const key of ['tag_name', 'target_commitish', 'name', 'body'] as const) {
    const v = raw[key]
    if (v === undefined) continue
    if (v !== null && typeof v !== 'string') return invalid(key, `${key} must be a string`)
    if (key === 'tag_name' || key === 'target_commitish') {
      if (v === null) return invalid(key, `${key} must be a string`)
      f[key] = v
    } else f[key] = v
  }
  for (const key of ['draft', 'prerelease'] as const) {
    const v = raw[key]
    if (v === undefined) continue
    if (typeof v !== 'boolean') return invalid(key, `${key} must be a boolean`)
    f[key] = v
  }
  if (raw.make_latest !== undefined) {
    if (raw.make_latest !== 'true' && raw.make_latest !== 'false' && raw.make_latest !== 'legacy') {
      return invalid('make_latest', "make_latest must be one of 'true', 'false', 'legacy'")
    }
    f.make_latest = raw.make_latest
  }
  if (creating && !f.tag_name) {
    sendError(ctx, 422, 'Validation Failed', [
      { resource: 'Release', code: 'missing_field', field: 'tag_name' },
    ])
    return undefined
  }
  if (f.tag_name !== undefined && !/^[^\s~^:?*[\\]+$/.test(f.tag_name))
    return invalid('tag_name', 'tag_name is not a valid tag')
  return f
}

function tagTaken(repo: Repository, tag: string, except?: Release): boolean {
  return repo.releases.some((r) => r !== except && r.tagName === tag)
}

function alreadyExists(ctx: RequestContext): void {
  sendError(ctx, 422, 'Validation Failed', [
    { resource: 'Release', code: 'already_exists', field: 'tag_name' },
  ])
}

async function create(ctx: RequestContext): Promise<void> {
  const repo = findRepo(ctx)
  if (!repo) return
  const raw = await readJson(ctx)
  const f = raw && releaseFields(ctx, raw, true)
  if (!f) return
  if (tagTaken(repo, f.tag_name!)) return alreadyExists(ctx)
  const release: Release = {
    id: ctx.state.nextId(),
    tagName: f.tag_name!,
    targetCommitish: f.target_commitish ?? repo.defaultBranch,
    name: f.name ?? null,
    body: f.body ?? null,
    draft: f.draft ?? false,
    prerelease: f.prerelease ?? false,
    createdAt: ctx.state.now(),
    publishedAt: null,
    author: ctx.caller.login!,
    untaggedId: randomBytes(10).toString('hex'),
    assets: [],
  }
  repo.releases.push(release)
  if (!release.draft) publish(ctx, repo, release, f.make_latest)
  sendJson(ctx, 201, releaseJson(ctx.urls, repo, release), {
    location: `${ctx.urls.api}/repos/${repo.fullName}/releases/${release.id}`,
  })
}

/** Publishing creates the tag if needed and, unless make_latest is 'false', moves "latest" in the same step. */
function publish(
  ctx: RequestContext,
  repo: Repository,
  r: Release,
  makeLatest: ReleaseFields['make_latest'],
): void {
  r.draft = false
  r.publishedAt = ctx.state.now()
  if (!repo.tags.has(r.tagName)) {
    const sha = /^[0-9a-f]{40}$/.test(r.targetCommitish) ? r.targetCommitish : randomBytes(20).toString('hex')
    repo.tags.set(r.tagName, sha)
  }
  if ((makeLatest ?? 'true') === 'true' && !r.prerelease) repo.latestReleaseId = r.id
}

async function update(ctx: RequestContext): Promise<void> {
  const repo = findRepo(ctx)
  const release = repo && findRelease(ctx, repo, ctx.params.release_id)
  if (!repo || !release) return
  const raw = await readJson(ctx)
  const f = raw && releaseFields(ctx, raw, false)
  if (!f) return
  if (f.tag_name !== undefined && tagTaken(repo, f.tag_name, release)) return alreadyExists(ctx)
  if (f.tag_name !== undefined) release.tagName = f.tag_name
  if (f.target_commitish !== undefined) release.targetCommitish = f.target_commitish
  if (f.name !== undefined) release.name = f.name
  if (f.body !== undefined) release.body = f.body
  if (f.prerelease !== undefined) release.prerelease = f.prerelease
  if (f.draft === false && release.draft) publish(ctx, repo, release, f.make_latest)
  else if (f.draft === true && !release.draft) {
    release.draft = true
    release.publishedAt = null
  } else if (f.make_latest === 'true' && !release.draft && !release.prerelease)
    repo.latestReleaseId = release.id
  sendJson(ctx, 200, releaseJson(ctx.urls, repo, release))
}

function remove(ctx: RequestContext): void {
  const repo = findRepo(ctx)
  const release = repo && findRelease(ctx, repo, ctx.params.release_id)
  if (!repo || !release) return
  repo.releases = repo.releases.filter((r) => r !== release)
  for (const a of release.assets) rmSync(a.file, { force: true })
  if (repo.latestReleaseId === release.id) repo.latestReleaseId = undefined
  sendNoContent(ctx)
}

function deleteTag(ctx: RequestContext): void {
  const repo = findRepo(ctx)
  if (!repo) return
  if (!repo.tags.delete(ctx.params.tag ?? '')) return sendError(ctx, 422, 'Reference does not exist')
  sendNoContent(ctx)
}
