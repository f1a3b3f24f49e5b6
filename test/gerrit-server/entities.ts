import type { Account, Approval, Change, ChangeMessage, GerritModel, PatchSet } from './model.js'
import type { FileStat } from './git.js'

/**
 * The JSON entities of Gerrit's REST API (rest-api-changes.txt "JSON Entities"), rendered from the
 * model with the fields each `o=` option adds, and nothing else.
 */

export const QUERY_OPTIONS = [
  'LABELS',
  'DETAILED_LABELS',
  'CURRENT_REVISION',
  'ALL_REVISIONS',
  'CURRENT_COMMIT',
  'ALL_COMMITS',
  'CURRENT_FILES',
  'ALL_FILES',
  'DETAILED_ACCOUNTS',
  'MESSAGES',
  'SKIP_DIFFSTAT',
  'SUBMITTABLE',
  'DOWNLOAD_COMMANDS',
  'SUBMIT_REQUIREMENTS',
  'CURRENT_ACTIONS',
  'CHANGE_ACTIONS',
  'REVIEWER_UPDATES',
  'WEB_LINKS',
  'CHECK',
  'COMMIT_FOOTERS',
  'PUSH_CERTIFICATES',
  'TRACKING_IDS',
  'CUSTOM_KEYED_VALUES',
  'STAR',
  'PARENTS',
  'REVIEWED',
] as const
export type QueryOption = (typeof QUERY_OPTIONS)[number]

/** Gerrit's timestamp format: UTC 'yyyy-mm-dd hh:mm:ss.fffffffff'. */
export function timestamp(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '000000')
}

export interface RenderContext {
  model: GerritModel
  options: Set<string>
  /** The calling account (undefined for anonymous requests). */
  caller?: Account
  /** Base URL of the server, for fetch URLs. */
  baseUrl: string
}

export function accountInfo(a: Account, detailed: boolean): Record<string, unknown> {
  // AccountInfo: only _account_id unless detailed account information is requested.
  return detailed
    ? { _account_id: a.id, name: a.name, email: a.email, username: a.username, display_name: a.name }
    : { _account_id: a.id }
}

function gitPerson(a: { name: string; email: string }, date: Date) {
  return { name: a.name, email: a.email, date: timestamp(date), tz: 0 }
}

export function fileInfo(f: FileStat): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (f.status !== 'M') out.status = f.status[0]
  if (f.binary) out.binary = true
  if (f.linesInserted) out.lines_inserted = f.linesInserted
  if (f.linesDeleted) out.lines_deleted = f.linesDeleted
  out.size_delta = f.sizeDelta
  out.size = f.size
  return out
}

/** List Files: the commit's files plus the magic /COMMIT_MSG file, sorted by path. */
export function fileInfoMap(ps: PatchSet): Record<string, Record<string, unknown>> {
  const commitMsgLines = ps.commitMessage.split('\n').length - 1
  const magic: FileStat = {
    path: '/COMMIT_MSG',
    status: 'A',
    linesInserted: commitMsgLines + 6,
    linesDeleted: 0,
    binary: false,
    size: Buffer.byteLength(ps.commitMessage),
    sizeDelta: Buffer.byteLength(ps.commitMessage),
  }
  const entries = [magic, ...ps.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return Object.fromEntries(entries.map((f) => [f.path, fileInfo(f)]))
}

function commitInfo(change: Change, ps: PatchSet) {
  const subject = ps.commitMessage.split('\n')[0]!
  return {
    parents: [{ commit: ps.parent, subject: ps.parentSubject }],
    // writePatchSet dates the author and the committer at the upload.
    author: gitPerson(change.owner, ps.created),
    committer: gitPerson(ps.uploader, ps.created),
    subject,
    message: ps.commitMessage,
  }
}

export function revisionInfo(ctx: RenderContext, change: Change, ps: PatchSet, current: boolean) {
  const o = ctx.options
  const detailed = o.has('DETAILED_ACCOUNTS')
  const url = `${ctx.baseUrl}/${change.project.name}`
  const rev: Record<string, unknown> = {
    kind: ps.kind,
    _number: ps.number,
    created: timestamp(ps.created),
    uploader: accountInfo(ps.uploader, detailed),
    ref: ps.ref,
    fetch: {
      'anonymous http': { url, ref: ps.ref },
    },
  }
  if (o.has('DOWNLOAD_COMMANDS')) {
    ;(rev.fetch as Record<string, Record<string, unknown>>)['anonymous http']!.commands = {
      Checkout: `git fetch ${url} ${ps.ref} && git checkout FETCH_HEAD`,
      'Cherry Pick': `git fetch ${url} ${ps.ref} && git cherry-pick FETCH_HEAD`,
      'Format Patch': `git fetch ${url} ${ps.ref} && git format-patch -1 --stdout FETCH_HEAD`,
      Pull: `git pull ${url} ${ps.ref}`,
    }
  }
  if (o.has('ALL_COMMITS') || (current && o.has('CURRENT_COMMIT'))) {
    rev.commit = commitInfo(change, ps)
  }
  if (o.has('ALL_FILES') || (current && o.has('CURRENT_FILES'))) {
    rev.files = Object.fromEntries(ps.files.map((f) => [f.path, fileInfo(f)]))
  }
  return rev
}

function formatValue(v: number): string {
  return v > 0 ? `+${v}` : v === 0 ? ' 0' : String(v)
}

function labelInfos(ctx: RenderContext, change: Change): Record<string, unknown> {
  const detailed = ctx.options.has('DETAILED_LABELS')
  const detailedAccounts = ctx.options.has('DETAILED_ACCOUNTS')
  const ps = ctx.model.currentPatchSet(change)
  const votes = ctx.model.approvalsOf(change, ps.number)
  const out: Record<string, unknown> = {}
  for (const [label, def] of Object.entries(change.project.labels)) {
    const values = Object.keys(def.values).map(Number)
    const min = Math.min(...values)
    const max = Math.max(...values)
    const info: Record<string, unknown> = {}
    const mine = votes.filter((v) => v.label === label)
    const first = (pred: (v: Approval) => boolean) => mine.find(pred)?.account
    const approved = first((v) => v.value === max && max > 0)
    const rejected = first((v) => v.value === min && min < 0)
    const recommended = first((v) => v.value > 0 && v.value < max)
    const disliked = first((v) => v.value < 0 && v.value > min)
    if (approved) info.approved = accountInfo(approved, detailedAccounts)
    if (rejected) info.rejected = accountInfo(rejected, detailedAccounts)
    if (recommended) info.recommended = accountInfo(recommended, detailedAccounts)
    if (disliked) info.disliked = accountInfo(disliked, detailedAccounts)
    if (rejected && ['MaxWithBlock', 'AnyWithBlock'].includes(def.function)) info.blocking = true
    if (def.function === 'NoBlock' || def.function === 'NoOp') info.optional = true
    // LABELS and DETAILED_LABELS differ only in all[].permitted_voting_range (LabelInfo docs).
    info.all = change.reviewers.map((r) => {
      const v = mine.find((x) => x.account.id === r.id)
      const range = change.status === 'NEW' ? ctx.model.permittedRange(change.project, r, label) : undefined
      const a: Record<string, unknown> = accountInfo(r, detailedAccounts)
      // ApprovalInfo.value: "If present and zero, the user is permitted to vote on the label.
      // If absent, the user is not permitted to vote on that label."
      if (v || range) a.value = v?.value ?? 0
      if (v) a.date = timestamp(v.date)
      if (v?.tag) a.tag = v.tag
      if (v?.postSubmit) a.post_submit = true
      if (detailed && range) a.permitted_voting_range = range
      return a
    })
    info.values = Object.fromEntries(
      values.sort((a, b) => a - b).map((v) => [formatValue(v), def.values[String(v)]]),
    )
    info.default_value = 0
    out[label] = info
  }
  return out
}

/** REVIEWER: at least one non-zero vote on the change; CC: added (by commenting) without voting. */
function reviewerStates(ctx: RenderContext, change: Change): Record<string, unknown[]> {
  const voted = new Set(
    [...change.approvals.values()]
      .flat()
      .filter((v) => v.value !== 0)
      .map((v) => v.account.id),
  )
  const detailed = ctx.options.has('DETAILED_ACCOUNTS')
  const out: Record<string, unknown[]> = {}
  const reviewers = change.reviewers.filter((r) => voted.has(r.id))
  const ccs = change.reviewers.filter((r) => !voted.has(r.id))
  if (reviewers.length) out.REVIEWER = reviewers.map((r) => accountInfo(r, detailed))
  if (ccs.length) out.CC = ccs.map((r) => accountInfo(r, detailed))
  return out
}

function permittedLabels(ctx: RenderContext, change: Change): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  if (!ctx.caller || change.status === 'ABANDONED') return out
  for (const [label, def] of Object.entries(change.project.labels)) {
    if (change.status === 'MERGED' && !def.allowPostSubmit) continue
    const range = ctx.model.permittedRange(change.project, ctx.caller, label)
    if (!range) continue
    out[label] = Object.keys(def.values)
      .map(Number)
      .filter((v) => v >= range.min && v <= range.max)
      .sort((a, b) => a - b)
      .map(formatValue)
  }
  return out
}

export function messageInfo(m: ChangeMessage, detailedAccounts: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { id: m.id }
  if (m.author) out.author = accountInfo(m.author, detailedAccounts)
  out.date = timestamp(m.date)
  out.message = m.message
  out.accounts_in_message = []
  if (m.tag) out.tag = m.tag
  out._revision_number = m.patchset
  return out
}

/** ChangeInfo with the fields the requested options add. */
export function changeInfo(ctx: RenderContext, change: Change): Record<string, unknown> {
  const o = ctx.options
  const detailed = o.has('DETAILED_ACCOUNTS')
  const current = ctx.model.currentPatchSet(change)
  const project = encodeURIComponent(change.project.name)
  const info: Record<string, unknown> = {
    id: `${project}~${change.number}`,
    triplet_id: `${project}~${encodeURIComponent(change.branch)}~${change.changeId}`,
    project: change.project.name,
    branch: change.branch,
    full_branch: `refs/heads/${change.branch}`,
  }
  if (change.topic) info.topic = change.topic
  Object.assign(info, {
    change_id: change.changeId,
    subject: change.subject,
    status: change.status,
    created: timestamp(change.created),
    updated: timestamp(change.updated),
  })
  if (change.submitted) {
    info.submitted = timestamp(change.submitted)
    info.submitter = accountInfo(change.submitter!, detailed)
  }
  if (!o.has('SKIP_DIFFSTAT')) {
    info.insertions = current.files.reduce((n, f) => n + f.linesInserted, 0)
    info.deletions = current.files.reduce((n, f) => n + f.linesDeleted, 0)
  }
  if (o.has('SUBMITTABLE')) {
    info.submittable = change.status === 'NEW' && ctx.model.unsatisfiedLabels(change).length === 0
  }
  // Inline comments are not modelled: ReviewInput.comments are accepted and dropped.
  info.total_comment_count = 0
  info.unresolved_comment_count = 0
  info._number = change.number
  info.virtual_id_number = change.number
  info.owner = accountInfo(change.owner, detailed)
  if (change.workInProgress) info.work_in_progress = true
  else info.has_review_started = true
  if (o.has('LABELS') || o.has('DETAILED_LABELS')) {
    info.labels = labelInfos(ctx, change)
    info.reviewers = reviewerStates(ctx, change)
    info.removable_reviewers = []
  }
  if (o.has('DETAILED_LABELS')) info.permitted_labels = permittedLabels(ctx, change)
  if (o.has('MESSAGES')) info.messages = change.messages.map((m) => messageInfo(m, detailed))
  info.current_revision_number = current.number
  if (o.has('CURRENT_REVISION') || o.has('ALL_REVISIONS')) {
    info.current_revision = current.sha
    const list = o.has('ALL_REVISIONS') ? change.patchSets : [current]
    info.revisions = Object.fromEntries(
      list.map((ps) => [ps.sha, revisionInfo(ctx, change, ps, ps.number === current.number)]),
    )
  }
  return info
}
