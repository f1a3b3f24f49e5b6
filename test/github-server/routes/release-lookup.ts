import { sendError } from '../http.js'
import type { RequestContext } from '../router.js'
import { newestFirst, type Release, type Repository } from '../state.js'

/**
 * The repository of :owner/:repo as this caller may see it: private repositories are 404 to
 * anonymous callers, as on GitHub, which never reveals that they exist.
 */
export function findRepo(ctx: RequestContext): Repository | undefined {
  const repo = ctx.state.repo(ctx.params.owner ?? '', ctx.params.repo ?? '')
  if (!repo || (repo.private && !ctx.caller.login)) {
    sendError(ctx, 404, 'Not Found')
    return undefined
  }
  return repo
}

/** Drafts are visible only to users with push access; every token here has it. */
export function visibleReleases(ctx: RequestContext, repo: Repository): Release[] {
  return repo.releases.filter((r) => !r.draft || ctx.caller.login)
}

export function findRelease(
  ctx: RequestContext,
  repo: Repository,
  id: string | undefined,
): Release | undefined {
  const release = visibleReleases(ctx, repo).find((r) => String(r.id) === id)
  if (!release) sendError(ctx, 404, 'Not Found')
  return release
}

/**
 * "The latest release is the most recent non-prerelease, non-draft release, sorted by the
 * created_at attribute", unless a release was explicitly marked with make_latest=true.
 */
export function latestRelease(repo: Repository): Release | undefined {
  const eligible = repo.releases.filter((r) => !r.draft && !r.prerelease)
  const marked = eligible.find((r) => r.id === repo.latestReleaseId)
  if (marked) return marked
  return [...eligible].sort(newestFirst)[0]
}
