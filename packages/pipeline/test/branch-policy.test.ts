import { describe, expect, it } from 'vitest'
import { branchPolicy, checkBranch, parseBranchDates, parseDate, stableBranchCutDate } from '../src/index.js'

describe('branch policy', () => {
  const since = parseDate('2025-06-01')!
  it('dates OpenStack stable branches from the release calendar', () => {
    expect(stableBranchCutDate('stable/2025.2')?.toISOString()).toBe('2025-09-01T00:00:00.000Z')
    expect(stableBranchCutDate('stable/2026.1')?.toISOString()).toBe('2026-03-01T00:00:00.000Z')
    expect(stableBranchCutDate('stable/zed')?.toISOString()).toBe('2022-09-01T00:00:00.000Z')
    expect(stableBranchCutDate('stable/mitaka')).toBeUndefined()
    expect(stableBranchCutDate('master')).toBeUndefined()
  })
  it('tests master and the stable branches created since the CI began', () => {
    const p = branchPolicy({ since })
    expect(checkBranch(p, 'master').ok).toBe(true)
    expect(checkBranch(p, 'stable/2025.2')).toEqual({
      ok: true,
      reason: 'branch stable/2025.2 created 2025-09-01, after the CI began (2025-06-01)',
    })
    expect(checkBranch(p, 'stable/2025.1')).toEqual({
      ok: false,
      reason: 'branch stable/2025.1 created 2025-03-01, before the CI began (2025-06-01)',
    })
    expect(checkBranch(p, 'bugfix/x').reason).toBe('branch bugfix/x is not watched (master, main, stable/*)')
    expect(checkBranch(p, 'stable/mitaka').reason).toMatch(/creation date unknown/)
  })
  it('lets the operator date a branch', () => {
    const p = branchPolicy({
      since,
      created: parseBranchDates('stable/2025.1=2025-07-01\nstable/odd = 2024-01-01'),
    })
    expect(checkBranch(p, 'stable/2025.1').ok).toBe(true)
    expect(checkBranch(p, 'stable/odd').ok).toBe(false)
    expect(() => parseBranchDates('stable/x=yesterday')).toThrow(/branch date 'stable\/x=yesterday'/)
  })
  it('tests every stable branch when no start date is given', () => {
    expect(checkBranch(branchPolicy({}), 'stable/2020.1').ok).toBe(true)
  })
})
