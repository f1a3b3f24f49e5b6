import { fileMatcher, parsePatternList, type FileMatcher } from './file-matcher.js'

/**
 * Which branches a CI tests. The Ironic third-party CI spec asks for master and for the stable
 * branches created since the CI began: a CI that starts today owes nothing to stable/2024.1.
 *
 * Gerrit's branch list (GET /projects/{p}/branches/) carries no creation date, and the reflog that
 * has one needs project-owner rights a third party does not hold. So a stable branch's creation is
 * taken from an explicit date when the operator gives one, else from OpenStack's release calendar:
 * stable/YYYY.1 is cut at RC1 in March, stable/YYYY.2 in September (releases.openstack.org), and the
 * named series before 2023.1 are listed below.
 */
export interface BranchPolicy {
  /** Branches to test: globs such as 'master', 'stable/*'. */
  branches: FileMatcher
  /** When the CI began; stable branches created before it are not tested. */
  since?: Date
  /** Operator-given creation dates, which win over the calendar. */
  created: ReadonlyMap<string, Date>
}

export type BranchVerdict = { ok: true; reason: string } | { ok: false; reason: string }

// Branch-cut months of the named series (RC1), from releases.openstack.org.
const NAMED_SERIES: Record<string, string> = {
  queens: '2018-02-01',
  rocky: '2018-08-01',
  stein: '2019-03-01',
  train: '2019-09-01',
  ussuri: '2020-04-01',
  victoria: '2020-09-01',
  wallaby: '2021-03-01',
  xena: '2021-09-01',
  yoga: '2022-03-01',
  zed: '2022-09-01',
}

/** Approximate creation date of an OpenStack stable branch from its name, or undefined. */
export function stableBranchCutDate(branch: string): Date | undefined {
  const numbered = /^stable\/(\d{4})\.([12])$/.exec(branch)
  if (numbered) return new Date(Date.UTC(Number(numbered[1]), numbered[2] === '1' ? 2 : 8, 1))
  const named = /^stable\/([a-z]+)$/.exec(branch)
  const date = named ? NAMED_SERIES[named[1]!] : undefined
  return date ? new Date(`${date}T00:00:00Z`) : undefined
}

export function parseBranchDates(text: string): Map<string, Date> {
  const out = new Map<string, Date>()
  for (const s of parsePatternList(text)) {
    const eq = s.indexOf('=')
    const date = eq > 0 ? parseDate(s.slice(eq + 1).trim()) : undefined
    if (!date) throw new Error(`branch date '${s}': expected <branch>=<YYYY-MM-DD>`)
    out.set(s.slice(0, eq).trim(), date)
  }
  return out
}

/** Accepts YYYY-MM-DD or a full ISO 8601 time; undefined when it is neither. */
export function parseDate(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) return undefined
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text)
  return Number.isNaN(d.getTime()) ? undefined : d
}

export function branchPolicy(options: {
  branches?: readonly string[]
  since?: Date
  created?: ReadonlyMap<string, Date>
}): BranchPolicy {
  return {
    branches: fileMatcher(options.branches?.length ? options.branches : ['master', 'main', 'stable/*']),
    ...(options.since ? { since: options.since } : {}),
    created: options.created ?? new Map(),
  }
}

export function checkBranch(policy: BranchPolicy, branch: string): BranchVerdict {
  if (!policy.branches.matches(branch)) {
    return { ok: false, reason: `branch ${branch} is not watched (${policy.branches.patterns.join(', ')})` }
  }
  // Only stable branches age out: master and feature branches are tested whatever their age.
  if (!branch.startsWith('stable/') || !policy.since)
    return { ok: true, reason: `branch ${branch} is watched` }
  const created = policy.created.get(branch) ?? stableBranchCutDate(branch)
  const since = policy.since.toISOString().slice(0, 10)
  if (!created) {
    return {
      ok: false,
      reason: `branch ${branch}: creation date unknown, so it cannot be shown to be newer than ${since} (give it in branch-dates)`,
    }
  }
  const when = created.toISOString().slice(0, 10)
  return created.getTime() >= policy.since.getTime()
    ? { ok: true, reason: `branch ${branch} created ${when}, after the CI began (${since})` }
    : { ok: false, reason: `branch ${branch} created ${when}, before the CI began (${since})` }
}
