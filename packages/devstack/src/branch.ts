import { ContractError, type ChangeUnderTest } from '@stackci/model'

/**
 * Which devstack to deploy a change with: devstack's branch of the same name as the change's
 * target branch (stable/<series> and unmaintained/<series> exist in devstack), or the tag
 * `<series>-eol` once that branch is gone, as setup-devstack-source-dirs does; any other branch
 * (master, main, feature/*) is deployed with master, as Zuul falls back to the default branch.
 */
export interface DevstackRefChoice {
  /** Refs to try in order: branches first, then the end-of-life tag. */
  candidates: string[]
  /** Series for stable/unmaintained branches. */
  series?: string
}

const SERIES_RE = /^(stable|unmaintained)\/([A-Za-z0-9._-]+)$/

export function devstackRefFor(target: ChangeUnderTest | string): DevstackRefChoice {
  const branch = typeof target === 'string' ? target : changeBranch(target)
  const b = branch.replace(/^refs\/heads\//, '')
  if (!b || /\s/.test(b)) throw new ContractError('branch', `not a branch name: '${branch}'`)
  const m = SERIES_RE.exec(b)
  if (m) {
    const series = m[2]!
    const candidates = [b]
    if (m[1] === 'stable') candidates.push(`unmaintained/${series}`)
    candidates.push(`${series}-eol`)
    return { candidates, series }
  }
  return { candidates: ['master'] }
}

function changeBranch(c: ChangeUnderTest): string {
  if (c.kind === 'gerrit') return c.branch
  if (!c.branch)
    throw new ContractError('change.branch', 'a GitHub change needs its target branch to pick devstack')
  return c.branch
}
