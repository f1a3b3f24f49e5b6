import { buildSetSucceeded, isInfraResult, type JobResult } from '@stackci/model'
import { GerritInputError } from './errors.js'
import { NOTIFY_HANDLINGS, type ChangeStatus, type NotifyHandling } from './types.js'

/**
 * Whether a report votes, and how. Third-party rules (system-config third_party.rst): comment only
 * until the project lets the CI vote; some CIs only +1 and leave -1 to humans; never comment on a
 * merge failure. Zuul adds: labels only on the current patch set. And a vote must say something
 * about the change, so infrastructure results (a dead node, a log upload that failed) get none.
 */

export const VOTING_MODES = ['none', 'verified', 'plus-one-only'] as const
export type VotingMode = (typeof VOTING_MODES)[number]

export function parseVotingMode(value: string): VotingMode {
  if (!(VOTING_MODES as readonly string[]).includes(value)) {
    throw new GerritInputError('voting', `'${value}' is not one of ${VOTING_MODES.join(', ')}`)
  }
  return value as VotingMode
}

/** Whom Gerrit notifies of a report, in any case ('owner' is OWNER); empty: Gerrit's default. */
export function parseNotifyHandling(value: string): NotifyHandling | undefined {
  const v = value.toUpperCase()
  if (!v) return undefined
  if (!(NOTIFY_HANDLINGS as readonly string[]).includes(v)) {
    throw new GerritInputError('notify', `expected one of ${NOTIFY_HANDLINGS.join(', ')}, got '${v}'`)
  }
  return v as NotifyHandling
}

/** Gate pipelines (gate, gate_foo) vote ±2 and may submit, as OpenStack's Zuul gate does. */
export function isGatePipeline(pipeline: string): boolean {
  return /^gate(_\w+)?$/.test(pipeline)
}

export interface VoteInput {
  mode: VotingMode
  /** Label to vote on (default Verified). */
  label: string
  pipeline: string
  jobs: JobResult[]
  change: { status: ChangeStatus; currentPatchset: boolean }
  /** Submit after a successful gate vote (the project runs its own gate). */
  submit?: boolean
}

export interface VoteDecision {
  /** Post a comment at all (false only for a merge failure). */
  comment: boolean
  /** Empty: comment only. */
  labels: Record<string, number>
  submit: boolean
  /** Why, in words, for the log and the job summary. */
  reason: string
}

/** 'Verified +1, Code-Review -1'; empty when the report only comments. */
export function formatVote(labels: Record<string, number>): string {
  return Object.entries(labels)
    .map(([l, v]) => `${l} ${v > 0 ? '+' : ''}${v}`)
    .join(', ')
}

export function decideVote(input: VoteInput): VoteDecision {
  const gate = isGatePipeline(input.pipeline)
  if (input.submit && !gate) {
    throw new GerritInputError('submit', `only a gate pipeline submits; '${input.pipeline}' is not one`)
  }
  if (input.submit && input.mode !== 'verified') {
    throw new GerritInputError('submit', `needs voting: verified (a gate votes ±2 before it submits)`)
  }
  if (!input.label.trim()) throw new GerritInputError('label', 'is empty')
  const commentOnly = (reason: string): VoteDecision => ({ comment: true, labels: {}, submit: false, reason })

  const mergeFailure = input.jobs.find((j) => j.result === 'MERGE_FAILURE')
  if (mergeFailure) {
    return {
      comment: false,
      labels: {},
      submit: false,
      reason: `${mergeFailure.name}: MERGE_FAILURE; third-party CI rules say not to comment on a merge failure`,
    }
  }
  if (input.mode === 'none') return commentOnly('voting is none: comment only')
  if (input.change.status !== 'NEW') {
    return commentOnly(`the change is ${input.change.status.toLowerCase()}: comment only`)
  }
  if (!input.change.currentPatchset) {
    return commentOnly('the patch set is no longer current: comment only')
  }
  const infra = input.jobs.find((j) => j.voting && isInfraResult(j.result))
  if (infra) {
    return commentOnly(`${infra.name} ended ${infra.result}, an infrastructure result: comment only`)
  }
  const magnitude = gate ? 2 : 1
  if (buildSetSucceeded(input.jobs)) {
    return {
      comment: true,
      labels: { [input.label]: magnitude },
      submit: Boolean(input.submit),
      reason: `all voting jobs succeeded: ${input.label} +${magnitude}${input.submit ? ', then submit' : ''}`,
    }
  }
  if (input.mode === 'plus-one-only')
    return commentOnly('a job failed and voting is plus-one-only: comment only')
  return {
    comment: true,
    labels: { [input.label]: -magnitude },
    submit: false,
    reason: `a voting job failed: ${input.label} -${magnitude}`,
  }
}
