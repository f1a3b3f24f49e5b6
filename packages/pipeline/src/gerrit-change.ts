/**
 * The parts of Gerrit's REST entities (Documentation/rest-api-changes.txt: ChangeInfo, RevisionInfo,
 * ChangeMessageInfo, LabelInfo, ApprovalInfo) that the watcher decides on. Structural, so the
 * objects @stackci/gerrit returns can be passed as they are.
 */
export interface GerritAccount {
  _account_id?: number
  username?: string
  name?: string
  email?: string
}

export interface GerritApproval extends GerritAccount {
  value?: number
  date?: string
  tag?: string
}

export interface GerritLabel {
  approved?: GerritAccount
  rejected?: GerritAccount
  all?: GerritApproval[]
  values?: Record<string, string>
  default_value?: number
}

export interface GerritRevision {
  _number: number
  ref?: string
  created?: string
  kind?: string
  uploader?: GerritAccount
  files?: Record<string, unknown>
}

export interface GerritMessage {
  id?: string
  author?: GerritAccount
  real_author?: GerritAccount
  date: string
  message: string
  tag?: string
  _revision_number?: number
}

export interface GerritChangeInfo {
  _number: number
  project: string
  branch: string
  status?: string
  subject?: string
  work_in_progress?: boolean
  current_revision?: string
  revisions?: Record<string, GerritRevision>
  messages?: GerritMessage[]
  labels?: Record<string, GerritLabel>
  updated?: string
  _more_changes?: boolean
}

/** The current revision's SHA and RevisionInfo; Gerrit sends them with o=CURRENT_REVISION. */
export function currentRevision(c: GerritChangeInfo): { sha: string; revision: GerritRevision } | undefined {
  const sha = c.current_revision
  const revision = sha ? c.revisions?.[sha] : undefined
  return sha && revision ? { sha, revision } : undefined
}
