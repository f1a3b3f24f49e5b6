/**
 * The REST entities the client reads and writes, as rest-api-changes.txt and
 * rest-api-projects.txt document them (the fields stackci uses; Gerrit may send more).
 */

export type ChangeStatus = 'NEW' | 'MERGED' | 'ABANDONED'

/** Values of the `o=` parameter of Query Changes and Get Change. */
export type ListChangesOption =
  | 'LABELS'
  | 'DETAILED_LABELS'
  | 'CURRENT_REVISION'
  | 'ALL_REVISIONS'
  | 'CURRENT_COMMIT'
  | 'ALL_COMMITS'
  | 'CURRENT_FILES'
  | 'ALL_FILES'
  | 'DETAILED_ACCOUNTS'
  | 'MESSAGES'
  | 'SKIP_DIFFSTAT'
  | 'SUBMITTABLE'
  | 'DOWNLOAD_COMMANDS'

export interface AccountInfo {
  _account_id?: number
  name?: string
  email?: string
  username?: string
  display_name?: string
}

export interface ApprovalInfo extends AccountInfo {
  value?: number
  permitted_voting_range?: { min: number; max: number }
  date?: string
  tag?: string
  post_submit?: boolean
}

export interface LabelInfo {
  optional?: boolean
  approved?: AccountInfo
  rejected?: AccountInfo
  recommended?: AccountInfo
  disliked?: AccountInfo
  blocking?: boolean
  value?: number
  default_value?: number
  values?: Record<string, string>
  all?: ApprovalInfo[]
}

export interface GitPersonInfo {
  name: string
  email: string
  date: string
  tz: number
}

export interface CommitInfo {
  commit?: string
  parents: { commit: string; subject: string }[]
  author: GitPersonInfo
  committer: GitPersonInfo
  subject: string
  message: string
}

export interface FileInfo {
  status?: 'A' | 'D' | 'R' | 'C' | 'W'
  binary?: boolean
  old_path?: string
  lines_inserted?: number
  lines_deleted?: number
  size_delta: number
  size: number
}

export interface FetchInfo {
  url: string
  ref: string
  commands?: Record<string, string>
}

export interface RevisionInfo {
  kind?: string
  _number: number
  created: string
  uploader?: AccountInfo
  ref: string
  fetch?: Record<string, FetchInfo>
  commit?: CommitInfo
  files?: Record<string, FileInfo>
}

export interface ChangeMessageInfo {
  id: string
  author?: AccountInfo
  real_author?: AccountInfo
  date: string
  message: string
  tag?: string
  _revision_number?: number
}

export interface ChangeInfo {
  id: string
  triplet_id?: string
  project: string
  branch: string
  topic?: string
  change_id: string
  subject: string
  status: ChangeStatus
  created: string
  updated: string
  submitted?: string
  submitter?: AccountInfo
  insertions?: number
  deletions?: number
  submittable?: boolean
  _number: number
  owner: AccountInfo
  work_in_progress?: boolean
  labels?: Record<string, LabelInfo>
  permitted_labels?: Record<string, string[]>
  messages?: ChangeMessageInfo[]
  current_revision_number?: number
  current_revision?: string
  revisions?: Record<string, RevisionInfo>
  _more_changes?: boolean
}

export const NOTIFY_HANDLINGS = ['NONE', 'OWNER', 'OWNER_REVIEWERS', 'ALL'] as const
export type NotifyHandling = (typeof NOTIFY_HANDLINGS)[number]

export interface ReviewInput {
  message?: string
  tag?: string
  labels?: Record<string, number>
  notify?: NotifyHandling
  /** File comments: path → comments (stackci sends none yet; kept for callers). */
  comments?: Record<string, { line?: number; message: string; unresolved?: boolean }[]>
}

export interface ReviewResult {
  labels?: Record<string, number>
  reviewers?: Record<string, unknown>
  ready?: boolean
  error?: string
}

export interface BranchInfo {
  ref: string
  revision: string
  can_delete?: boolean
}

/** Gerrit's timestamps are UTC 'yyyy-mm-dd hh:mm:ss.fffffffff'. */
export function parseGerritTimestamp(value: string): Date {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?$/.exec(value)
  const d = m ? new Date(`${m[1]}T${m[2]}${m[3] ? m[3].slice(0, 4) : ''}Z`) : new Date(NaN)
  if (Number.isNaN(d.getTime())) throw new TypeError(`not a Gerrit timestamp: '${value}'`)
  return d
}
