import type { JobResult, JobResultValue } from '@stackci/model'
import { describe, expect, it } from 'vitest'
import {
  GerritInputError,
  NOTIFY_HANDLINGS,
  decideVote,
  formatVote,
  parseNotifyHandling,
  parseVotingMode,
  type VoteInput,
} from '../src/index.js'

const job = (result: JobResultValue, voting = true): JobResult => ({ name: `job-${result}`, result, voting })
const base = (over: Partial<VoteInput> = {}): VoteInput => ({
  mode: 'verified',
  label: 'Verified',
  pipeline: 'check',
  jobs: [job('SUCCESS')],
  change: { status: 'NEW', currentPatchset: true },
  ...over,
})

describe('vote policy', () => {
  it('comments only by default (voting none), whatever the result', () => {
    for (const r of ['SUCCESS', 'FAILURE'] as const) {
      const d = decideVote(base({ mode: 'none', jobs: [job(r)] }))
      expect(d).toMatchObject({ comment: true, labels: {}, submit: false })
    }
  })

  it('votes ±1 with verified, +1 only with plus-one-only', () => {
    expect(decideVote(base()).labels).toEqual({ Verified: 1 })
    expect(decideVote(base({ jobs: [job('FAILURE')] })).labels).toEqual({ Verified: -1 })
    expect(decideVote(base({ mode: 'plus-one-only' })).labels).toEqual({ Verified: 1 })
    const failed = decideVote(base({ mode: 'plus-one-only', jobs: [job('FAILURE')] }))
    expect(failed).toMatchObject({ comment: true, labels: {} })
    expect(decideVote(base({ label: 'Third-Party-CI' })).labels).toEqual({ 'Third-Party-CI': 1 })
  })

  it('ignores non-voting jobs for the outcome', () => {
    expect(decideVote(base({ jobs: [job('SUCCESS'), job('FAILURE', false)] })).labels).toEqual({
      Verified: 1,
    })
    expect(decideVote(base({ jobs: [job('SUCCESS'), job('NODE_FAILURE', false)] })).labels).toEqual({
      Verified: 1,
    })
  })

  it.each(['NODE_FAILURE', 'POST_FAILURE', 'ERROR', 'TIMED_OUT'] as const)('does not vote on %s', (r) => {
    const d = decideVote(base({ jobs: [job('SUCCESS'), job(r)] }))
    expect(d).toMatchObject({ comment: true, labels: {}, submit: false })
    expect(d.reason).toContain('infrastructure')
  })

  it('does not vote on an outdated patch set or a closed change', () => {
    expect(decideVote(base({ change: { status: 'NEW', currentPatchset: false } })).labels).toEqual({})
    expect(decideVote(base({ change: { status: 'MERGED', currentPatchset: true } })).labels).toEqual({})
    expect(decideVote(base({ change: { status: 'ABANDONED', currentPatchset: true } })).labels).toEqual({})
  })

  it('says nothing at all on a merge failure', () => {
    expect(decideVote(base({ mode: 'none', jobs: [job('MERGE_FAILURE')] }))).toMatchObject({ comment: false })
  })

  it('votes ±2 and submits in a gate pipeline of a project that gates itself', () => {
    expect(decideVote(base({ pipeline: 'gate', submit: true }))).toMatchObject({
      labels: { Verified: 2 },
      submit: true,
    })
    expect(decideVote(base({ pipeline: 'gate', submit: true, jobs: [job('FAILURE')] }))).toMatchObject({
      labels: { Verified: -2 },
      submit: false,
    })
    expect(decideVote(base({ pipeline: 'gate', submit: true, jobs: [job('TIMED_OUT')] }))).toMatchObject({
      labels: {},
      submit: false,
    })
    expect(() => decideVote(base({ submit: true }))).toThrow(/submit: only a gate pipeline submits/)
    expect(() => decideVote(base({ pipeline: 'gate', mode: 'none', submit: true }))).toThrow(
      /voting: verified/,
    )
    expect(() => parseVotingMode('yes')).toThrow(/voting: 'yes' is not one of none, verified, plus-one-only/)
  })

  it('writes a vote as Gerrit shows it, and nothing for a comment', () => {
    expect(formatVote({ Verified: 1, 'Code-Review': -2 })).toBe('Verified +1, Code-Review -2')
    expect(formatVote({})).toBe('')
  })
})

describe('parseNotifyHandling', () => {
  it('accepts each notify handling, in any case, and empty as Gerrit default', () => {
    for (const n of NOTIFY_HANDLINGS) expect(parseNotifyHandling(n)).toBe(n)
    expect(parseNotifyHandling('owner_reviewers')).toBe('OWNER_REVIEWERS')
    expect(parseNotifyHandling('')).toBeUndefined()
  })

  it('names the input and the allowed values for a bad value', () => {
    expect(() => parseNotifyHandling('everyone')).toThrow(GerritInputError)
    expect(() => parseNotifyHandling('everyone')).toThrow(
      "notify: expected one of NONE, OWNER, OWNER_REVIEWERS, ALL, got 'EVERYONE'",
    )
  })
})
