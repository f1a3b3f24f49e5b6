import { ContractError, asNumber, asObject, asOptionalString, asString } from './validate.js'

/** A patch set on a Gerrit server: what third-party CI and Gerrit-hosted projects test. */
export interface GerritChange {
  kind: 'gerrit'
  /** Base URL of the Gerrit server, without a trailing slash (may carry a path prefix). */
  gerritUrl: string
  project: string
  branch: string
  change: number
  patchset: number
  /** Commit SHA of the patch set. */
  revision: string
  /** refs/changes/NN/N/P */
  ref: string
}

/** A commit of a GitHub repository: pull requests, merge groups and pushes. */
export interface GitHubChange {
  kind: 'github'
  repository: string
  sha: string
  /** The ref that was pushed or the PR's merge ref, when known. */
  ref?: string
  /** Target branch of a pull request or merge group; the pushed branch for post. */
  branch?: string
  pullRequest?: number
}

export type ChangeUnderTest = GerritChange | GitHubChange

/** Gerrit's change ref: refs/changes/<last two digits, zero-padded>/<change>/<patchset>. */
export function gerritChangeRef(change: number, patchset: number): string {
  if (!Number.isInteger(change) || change <= 0)
    throw new ContractError('change', `not a change number: ${change}`)
  if (!Number.isInteger(patchset) || patchset <= 0) {
    throw new ContractError('patchset', `not a patch set number: ${patchset}`)
  }
  return `refs/changes/${String(change % 100).padStart(2, '0')}/${change}/${patchset}`
}

const REF_RE = /^refs\/changes\/(\d{2})\/(\d+)\/(\d+)$/

/** Parses refs/changes/NN/N/P, checking that NN agrees with N. */
export function parseGerritChangeRef(ref: string): { change: number; patchset: number } {
  const m = REF_RE.exec(ref)
  if (!m) throw new ContractError('ref', `not a Gerrit change ref (refs/changes/NN/N/P): '${ref}'`)
  const change = Number(m[2])
  const patchset = Number(m[3])
  if (gerritChangeRef(change, patchset) !== ref) {
    throw new ContractError('ref', `'${ref}': shard ${m[1]} does not match change ${change}`)
  }
  return { change, patchset }
}

/** Short display id, as Zuul prints it: "12345,3" for Gerrit, the short SHA for GitHub. */
export function changeId(c: ChangeUnderTest): string {
  return c.kind === 'gerrit'
    ? `${c.change},${c.patchset}`
    : c.pullRequest
      ? `#${c.pullRequest}`
      : c.sha.slice(0, 12)
}

/**
 * Workflow runs are named "<pipeline> <project> <change>,<patchset>" so that watch-gerrit can find
 * what is already running by listing runs (GitHub has no other searchable field it controls).
 */
export function runName(pipeline: string, c: ChangeUnderTest): string {
  return `${pipeline} ${c.kind === 'gerrit' ? c.project : c.repository} ${changeId(c)}`
}

const RUN_NAME_RE = /^(\S+) (\S+) (\d+),(\d+)$/

export function parseRunName(
  name: string,
): { pipeline: string; project: string; change: number; patchset: number } | undefined {
  const m = RUN_NAME_RE.exec(name.trim())
  if (!m) return undefined
  return { pipeline: m[1]!, project: m[2]!, change: Number(m[3]), patchset: Number(m[4]) }
}

export function parseChange(value: unknown, path = 'change'): ChangeUnderTest {
  const o = asObject(value, path)
  const kind = asString(o.kind, `${path}.kind`)
  if (kind === 'gerrit') {
    const change = asNumber(o.change, `${path}.change`)
    const patchset = asNumber(o.patchset, `${path}.patchset`)
    const ref = asOptionalString(o.ref, `${path}.ref`) ?? gerritChangeRef(change, patchset)
    return {
      kind,
      gerritUrl: asString(o.gerritUrl, `${path}.gerritUrl`).replace(/\/+$/, ''),
      project: asString(o.project, `${path}.project`),
      branch: asString(o.branch, `${path}.branch`),
      change,
      patchset,
      revision: asString(o.revision, `${path}.revision`),
      ref,
    }
  }
  if (kind === 'github') {
    const c: GitHubChange = {
      kind,
      repository: asString(o.repository, `${path}.repository`),
      sha: asString(o.sha, `${path}.sha`),
    }
    const ref = asOptionalString(o.ref, `${path}.ref`)
    const branch = asOptionalString(o.branch, `${path}.branch`)
    if (ref) c.ref = ref
    if (branch) c.branch = branch
    if (o.pullRequest !== undefined) c.pullRequest = asNumber(o.pullRequest, `${path}.pullRequest`)
    return c
  }
  throw new ContractError(`${path}.kind`, `expected 'gerrit' or 'github', got '${kind}'`)
}
