import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { gerritChangeRef } from '../../packages/model/src/index.js'
import {
  diffStats,
  git,
  initBare,
  isAncestor,
  mergeTree,
  resolveRef,
  updateRef,
  writeCommit,
  type FileContents,
  type FileStat,
} from './git.js'

/**
 * The state of the test Gerrit: accounts, projects with labels and permissions, changes with patch
 * sets (real commits), approvals and messages. Operations enforce the rules Gerrit's PostReview,
 * Submit and Abandon enforce, with the same status codes; the HTTP layer only maps them.
 */

/** An error the REST layer returns as `status` with `message` as its text/plain body. */
export class GerritHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'GerritHttpError'
  }
}

export interface Account {
  id: number
  username: string
  name: string
  email: string
  /** The HTTP password ("authentication token" in Gerrit ≥ 3.13) used with /a/ endpoints. */
  httpPassword: string
  groups: string[]
}

/** A new account: name, email and password default from the username. */
export interface AccountOptions {
  username: string
  name?: string
  email?: string
  httpPassword?: string
  groups?: string[]
}

/** How a label blocks submission (config-labels.txt "function"). */
export type LabelFunction = 'MaxWithBlock' | 'AnyWithBlock' | 'MaxNoBlock' | 'NoBlock' | 'NoOp'

export interface LabelDefinition {
  /** value → description, e.g. { '-1': 'Fails', '0': 'No score', '1': 'Verified' } */
  values: Record<string, string>
  function: LabelFunction
  /** Votes may still change after the change is merged (allowPostSubmit). */
  allowPostSubmit?: boolean
}

export interface LabelPermission {
  group: string
  min: number
  max: number
}

export interface ProjectOptions {
  name: string
  /** Branches to create, each with an initial commit (default: ['master']). */
  branches?: string[]
  /** Files of the initial commit (default: a README). */
  files?: Record<string, string>
  /** Labels of the project (default: Code-Review, Verified, Workflow as OpenStack configures them). */
  labels?: Record<string, LabelDefinition>
  /** Who may vote what, per label (default: Registered Users -1..+1 on Code-Review; Administrators everything). */
  permissions?: Record<string, LabelPermission[]>
  /** Groups allowed to submit (default: Administrators). */
  submitGroups?: string[]
}

export interface Project {
  name: string
  gitDir: string
  labels: Record<string, LabelDefinition>
  permissions: Record<string, LabelPermission[]>
  submitGroups: string[]
  created: Date
}

export interface PatchSet {
  number: number
  sha: string
  ref: string
  parent: string
  parentSubject: string
  created: Date
  uploader: Account
  kind: 'REWORK' | 'TRIVIAL_REBASE' | 'NO_CODE_CHANGE' | 'NO_CHANGE'
  files: FileStat[]
  /** As stored: commit-tree keeps the message byte for byte. */
  commitMessage: string
}

export interface Approval {
  account: Account
  label: string
  value: number
  date: Date
  tag?: string
  postSubmit?: boolean
}

export interface ChangeMessage {
  id: string
  author?: Account
  date: Date
  message: string
  tag?: string
  patchset: number
}

export type ChangeStatus = 'NEW' | 'MERGED' | 'ABANDONED'

export interface Change {
  number: number
  project: Project
  branch: string
  changeId: string
  subject: string
  topic?: string
  status: ChangeStatus
  owner: Account
  created: Date
  updated: Date
  submitted?: Date
  submitter?: Account
  workInProgress: boolean
  patchSets: PatchSet[]
  /** Approvals by patch set number; the latest vote of an account on a label wins. */
  approvals: Map<number, Approval[]>
  /** Accounts that voted (reviewers) or commented (CC), in order. */
  reviewers: Account[]
  messages: ChangeMessage[]
}

export interface ReviewRequest {
  message?: string
  tag?: string
  labels?: Record<string, number>
  date?: Date
}

/** change.commentSizeLimit default (config-gerrit.txt): 16 KiB. */
export const COMMENT_SIZE_LIMIT = 16 * 1024

export const REGISTERED_USERS = 'Registered Users'
export const ADMINISTRATORS = 'Administrators'

/** Verified as a project that gates itself configures it: -2..+2 (OpenStack's default is -1..+1). */
export function selfGatingVerified(): Record<string, string> {
  return { '-2': 'Fails', '-1': 'x', '0': 'No score', '1': 'y', '2': 'Verified' }
}

/** Labels as OpenStack configures them (openstack/project-config gerrit/acls, config-labels.txt). */
export function defaultLabels(): Record<string, LabelDefinition> {
  return {
    'Code-Review': {
      values: {
        '-2': 'Do not merge',
        '-1': 'This patch needs further work before it can be merged',
        '0': 'No score',
        '1': 'Looks good to me, but someone else must approve',
        '2': 'Looks good to me (core reviewer)',
      },
      function: 'MaxWithBlock',
    },
    Verified: {
      values: { '-1': 'Fails', '0': 'No score', '1': 'Verified' },
      function: 'NoBlock',
    },
    Workflow: {
      values: { '-1': 'Work in progress', '0': 'Ready for reviews', '1': 'Approved' },
      function: 'MaxWithBlock',
    },
  }
}

function labelRange(def: LabelDefinition): { min: number; max: number } {
  const values = Object.keys(def.values).map(Number)
  return { min: Math.min(...values), max: Math.max(...values) }
}

export class GerritModel {
  readonly accounts: Account[] = []
  readonly projects = new Map<string, Project>()
  readonly changes: Change[] = []
  private nextAccountId = 1000000
  private nextChange = 1
  private messageSeq = 0

  constructor(
    readonly gitRoot: string,
    readonly now: () => Date,
  ) {}

  addAccount(opts: AccountOptions): Account {
    if (this.accounts.some((a) => a.username === opts.username)) {
      throw new Error(`account '${opts.username}' already exists`)
    }
    const account: Account = {
      id: this.nextAccountId++,
      username: opts.username,
      name: opts.name ?? opts.username,
      email: opts.email ?? `${opts.username}@example.org`,
      httpPassword: opts.httpPassword ?? randomBytes(18).toString('base64url'),
      groups: [REGISTERED_USERS, ...(opts.groups ?? [])],
    }
    this.accounts.push(account)
    return account
  }

  account(ref: Account | string | number): Account {
    if (typeof ref === 'object') return ref
    const a = this.accounts.find((x) => x.username === ref || x.id === ref)
    if (!a) throw new Error(`no account '${ref}'`)
    return a
  }

  async createProject(opts: ProjectOptions, creator: Account): Promise<Project> {
    if (this.projects.has(opts.name)) throw new Error(`project '${opts.name}' already exists`)
    if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(opts.name) || opts.name.includes('..')) {
      throw new Error(`not a project name this server accepts: '${opts.name}'`)
    }
    const gitDir = join(this.gitRoot, `${opts.name}.git`)
    await initBare(gitDir)
    const project: Project = {
      name: opts.name,
      gitDir,
      labels: opts.labels ?? defaultLabels(),
      permissions: opts.permissions ?? {
        'Code-Review': [{ group: REGISTERED_USERS, min: -1, max: 1 }],
      },
      submitGroups: opts.submitGroups ?? [ADMINISTRATORS],
      created: this.now(),
    }
    const branches = opts.branches ?? ['master']
    const root = await writeCommit(gitDir, {
      parents: [],
      files: opts.files ?? { README: `${opts.name}\n` },
      message: 'Initial empty repository\n',
      author: { name: creator.name, email: creator.email, date: project.created },
    })
    for (const b of branches) await updateRef(gitDir, `refs/heads/${b}`, root)
    await git(gitDir, ['symbolic-ref', 'HEAD', `refs/heads/${branches[0] ?? 'master'}`])
    this.projects.set(opts.name, project)
    return project
  }

  project(name: string): Project {
    const p = this.projects.get(name)
    if (!p) throw new GerritHttpError(404, `Not found: ${name}`)
    return p
  }

  async createBranch(projectName: string, branch: string, from = 'master'): Promise<string> {
    const p = this.project(projectName)
    const sha = await resolveRef(
      p.gitDir,
      from.startsWith('refs/') || /^[0-9a-f]{40}$/.test(from) ? from : `refs/heads/${from}`,
    )
    if (!sha) throw new Error(`${projectName}: no revision '${from}' to branch from`)
    await updateRef(p.gitDir, `refs/heads/${branch}`, sha)
    return sha
  }

  async branches(projectName: string): Promise<{ ref: string; revision: string }[]> {
    const p = this.project(projectName)
    const out = (await git(p.gitDir, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/']))
      .stdout
    return out
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [ref, revision] = l.split(' ')
        return { ref: ref!, revision: revision! }
      })
  }

  async headBranch(projectName: string): Promise<string> {
    return (await git(this.project(projectName).gitDir, ['symbolic-ref', 'HEAD'])).stdout.trim()
  }

  async createChange(opts: {
    project: string
    branch?: string
    owner: Account
    subject?: string
    body?: string
    files: FileContents
    created?: Date
    topic?: string
    changeId?: string
    workInProgress?: boolean
  }): Promise<Change> {
    const project = this.project(opts.project)
    const branch = opts.branch ?? 'master'
    const parent = await resolveRef(project.gitDir, `refs/heads/${branch}`)
    if (!parent) throw new Error(`${opts.project}: no branch '${branch}'`)
    const created = opts.created ?? this.now()
    const number = this.nextChange++
    const changeId =
      opts.changeId ??
      'I' +
        createHash('sha1')
          .update(`${opts.project}\n${number}\n${randomBytes(8).toString('hex')}`)
          .digest('hex')
    const change: Change = {
      number,
      project,
      branch,
      changeId,
      subject: opts.subject ?? `Change ${number}`,
      topic: opts.topic,
      status: 'NEW',
      owner: opts.owner,
      created,
      updated: created,
      workInProgress: opts.workInProgress ?? false,
      patchSets: [],
      approvals: new Map(),
      reviewers: [],
      messages: [],
    }
    await this.writePatchSet(change, {
      parent,
      files: opts.files,
      uploader: opts.owner,
      created,
      body: opts.body,
    })
    this.changes.push(change)
    return change
  }

  async addPatchSet(
    change: Change,
    opts: {
      files: FileContents
      uploader?: Account
      created?: Date
      subject?: string
      body?: string
      /** Rebase onto the branch's current tip instead of the previous patch set's parent. */
      rebase?: boolean
    },
  ): Promise<PatchSet> {
    if (change.status !== 'NEW') {
      throw new GerritHttpError(409, `change ${change.number} is ${change.status.toLowerCase()}`)
    }
    const previous = change.patchSets.at(-1)!
    const parent = opts.rebase
      ? (await resolveRef(change.project.gitDir, `refs/heads/${change.branch}`))!
      : previous.parent
    if (opts.subject) change.subject = opts.subject
    return this.writePatchSet(change, {
      parent,
      files: opts.files,
      uploader: opts.uploader ?? change.owner,
      created: opts.created ?? this.now(),
      body: opts.body,
      previous,
    })
  }

  private async writePatchSet(
    change: Change,
    opts: {
      parent: string
      files: FileContents
      uploader: Account
      created: Date
      body?: string
      previous?: PatchSet
    },
  ): Promise<PatchSet> {
    const gitDir = change.project.gitDir
    const number = change.patchSets.length + 1
    const message = `${change.subject}\n\n${opts.body ? `${opts.body.trim()}\n\n` : ''}Change-Id: ${change.changeId}\n`
    const sameParent = opts.previous?.parent === opts.parent
    const sha = await writeCommit(gitDir, {
      parents: [opts.parent],
      files: opts.files,
      message,
      author: { name: change.owner.name, email: change.owner.email, date: opts.created },
      committer: { name: opts.uploader.name, email: opts.uploader.email, date: opts.created },
      // Each patch set starts from the previous one's tree, so files given once stay in the change.
      baseTree: sameParent ? `${opts.previous!.sha}^{tree}` : undefined,
    })
    const ref = gerritChangeRef(change.number, number)
    await updateRef(gitDir, ref, sha)
    const ps: PatchSet = {
      number,
      sha,
      ref,
      parent: opts.parent,
      parentSubject: sameParent
        ? opts.previous!.parentSubject
        : (await git(gitDir, ['log', '-1', '--format=%s', opts.parent])).stdout.trim(),
      created: opts.created,
      uploader: opts.uploader,
      kind: 'REWORK',
      files: await diffStats(gitDir, sha, opts.parent),
      commitMessage: message,
    }
    change.patchSets.push(ps)
    change.updated = opts.created
    this.addMessage(change, {
      message: `Uploaded patch set ${number}.`,
      author: opts.uploader,
      tag: 'autogenerated:gerrit:newPatchSet',
      date: opts.created,
      patchset: number,
    })
    return ps
  }

  change(number: number): Change {
    const c = this.changes.find((x) => x.number === number)
    if (!c) throw new GerritHttpError(404, `Not found: ${number}`)
    return c
  }

  /** Resolves a {change-id} as Gerrit does: project~number, project~branch~Change-Id, Change-Id, number. */
  resolveChange(id: string): Change {
    const notFound = () => new GerritHttpError(404, `Not found: ${id}`)
    const parts = id.split('~')
    let found: Change[] = []
    if (parts.length === 2) {
      const [project, n] = parts
      found = /^\d+$/.test(n!)
        ? this.changes.filter((c) => c.project.name === project && c.number === Number(n))
        : []
    } else if (parts.length === 3) {
      const [project, branch, cid] = parts
      const b = branch!.replace(/^refs\/heads\//, '')
      found = this.changes.filter((c) => c.project.name === project && c.branch === b && c.changeId === cid)
    } else if (/^\d+$/.test(id)) {
      found = this.changes.filter((c) => c.number === Number(id))
    } else if (/^I[0-9a-f]{40}$/.test(id)) {
      found = this.changes.filter((c) => c.changeId === id)
    }
    if (found.length !== 1) throw notFound()
    return found[0]!
  }

  /** Resolves a {revision-id}: current, a patch set number, or a commit SHA (≥ 4 hex digits). */
  resolveRevision(change: Change, id: string): PatchSet {
    let ps: PatchSet | undefined
    if (id === 'current') ps = change.patchSets.at(-1)
    else if (/^\d+$/.test(id) && id.length < 4) ps = change.patchSets.find((p) => p.number === Number(id))
    else if (/^[0-9a-f]{4,40}$/.test(id)) {
      const matches = change.patchSets.filter((p) => p.sha.startsWith(id))
      ps = matches.length === 1 ? matches[0] : undefined
      if (!ps && /^\d+$/.test(id)) ps = change.patchSets.find((p) => p.number === Number(id))
    }
    if (!ps) throw new GerritHttpError(404, `Not found: ${id}`)
    return ps
  }

  currentPatchSet(change: Change): PatchSet {
    return change.patchSets.at(-1)!
  }

  /** The range an account may vote on a label of a project; undefined if it may not vote at all. */
  permittedRange(
    project: Project,
    account: Account,
    label: string,
  ): { min: number; max: number } | undefined {
    const def = project.labels[label]
    if (!def) return undefined
    if (account.groups.includes(ADMINISTRATORS)) return labelRange(def)
    const rules = (project.permissions[label] ?? []).filter((r) => account.groups.includes(r.group))
    if (rules.length === 0) return undefined
    return { min: Math.min(...rules.map((r) => r.min)), max: Math.max(...rules.map((r) => r.max)) }
  }

  addMessage(
    change: Change,
    m: { message: string; author?: Account; tag?: string; date?: Date; patchset?: number },
  ): ChangeMessage {
    const msg: ChangeMessage = {
      id: createHash('sha1').update(`${change.number}:${++this.messageSeq}`).digest('hex'),
      author: m.author,
      date: m.date ?? this.now(),
      message: m.message,
      patchset: m.patchset ?? change.patchSets.length,
    }
    if (m.tag) msg.tag = m.tag
    change.messages.push(msg)
    if (msg.date > change.updated) change.updated = msg.date
    return msg
  }

  /**
   * Set Review (PostReview/PostReviewOp): votes need a current patch set, an open change (or a
   * label that allows post-submit votes) and a value within the caller's permitted range; unknown
   * labels and values are dropped, as Gerrit does with change.strictLabels = false.
   */
  review(
    change: Change,
    ps: PatchSet,
    account: Account,
    input: ReviewRequest,
  ): { labels?: Record<string, number> } {
    const date = input.date ?? this.now()
    const applied: Record<string, number> = {}
    for (const [label, value] of Object.entries(input.labels ?? {})) {
      const def = change.project.labels[label]
      if (!def || !Number.isInteger(value) || !(String(value) in def.values)) continue
      const range = this.permittedRange(change.project, account, label)
      if (!range || value < range.min || value > range.max) {
        throw new GerritHttpError(403, `Applying label "${label}": ${value} is restricted`)
      }
      applied[label] = value
    }
    const labelNames = Object.keys(applied)
    // PostReviewOp.validatePostSubmitLabels: only votes that change something count on a closed
    // change. Votes on outdated patch sets are allowed (Gerrit stores them on that patch set).
    const previous = (l: string) =>
      this.approvalsOf(change, ps.number).find((v) => v.account.id === account.id && v.label === l)?.value ??
      0
    const changed = labelNames.filter((l) => previous(l) !== applied[l])
    if (changed.length > 0 && change.status === 'ABANDONED')
      throw new GerritHttpError(409, 'change is closed')
    if (changed.length > 0 && change.status === 'MERGED') {
      const disallowed = changed.filter((l) => !change.project.labels[l]!.allowPostSubmit).sort()
      if (disallowed.length > 0) {
        throw new GerritHttpError(409, `Voting on labels disallowed after submit: ${disallowed.join(', ')}`)
      }
      const reduced = changed.filter((l) => previous(l) > applied[l]!).sort()
      if (reduced.length > 0) {
        throw new GerritHttpError(
          409,
          `Cannot reduce vote on labels for closed change: ${reduced.join(', ')}`,
        )
      }
    }
    const message = (input.message ?? '').trim()
    const size = Buffer.byteLength(input.message ?? '')
    if (size > COMMENT_SIZE_LIMIT) {
      throw new GerritHttpError(400, `Comment size exceeds limit (${size} > ${COMMENT_SIZE_LIMIT})`)
    }
    if (labelNames.length === 0 && message === '') return {}
    const votes = this.approvalsOf(change, ps.number)
    for (const label of labelNames) {
      const i = votes.findIndex((v) => v.account.id === account.id && v.label === label)
      const vote: Approval = { account, label, value: applied[label]!, date }
      if (input.tag) vote.tag = input.tag
      if (change.status === 'MERGED') vote.postSubmit = true
      if (i >= 0) votes[i] = vote
      else votes.push(vote)
    }
    if (!change.reviewers.some((r) => r.id === account.id)) change.reviewers.push(account)
    const voteText = labelNames
      .map((l) => (applied[l] === 0 ? `-${l}` : `${l}${applied[l]! > 0 ? '+' : ''}${applied[l]}`))
      .join(' ')
    const header = `Patch Set ${ps.number}:${voteText ? ` ${voteText}` : ''}`
    this.addMessage(change, {
      message: message ? `${header}\n\n${message}` : header,
      author: account,
      tag: input.tag,
      date,
      patchset: ps.number,
    })
    change.updated = date
    return labelNames.length > 0 ? { labels: applied } : {}
  }

  approvalsOf(change: Change, patchset: number): Approval[] {
    let list = change.approvals.get(patchset)
    if (!list) {
      list = []
      change.approvals.set(patchset, list)
    }
    return list
  }

  /** Which labels block submission of the current patch set, by their functions. */
  unsatisfiedLabels(change: Change): string[] {
    const votes = this.approvalsOf(change, this.currentPatchSet(change).number)
    const unsatisfied: string[] = []
    for (const [label, def] of Object.entries(change.project.labels)) {
      const { min, max } = labelRange(def)
      const values = votes.filter((v) => v.label === label).map((v) => v.value)
      const blocked =
        ['MaxWithBlock', 'AnyWithBlock'].includes(def.function) && values.includes(min) && min < 0
      const needsMax = ['MaxWithBlock', 'MaxNoBlock'].includes(def.function) && !values.includes(max)
      if (blocked || needsMax) unsatisfied.push(label)
    }
    return unsatisfied
  }

  async submit(change: Change, account: Account, date = this.now()): Promise<void> {
    if (change.status !== 'NEW') throw new GerritHttpError(409, `change is ${change.status.toLowerCase()}`)
    if (!change.project.submitGroups.some((g) => account.groups.includes(g))) {
      throw new GerritHttpError(403, 'submit not permitted')
    }
    const unsatisfied = this.unsatisfiedLabels(change)
    if (unsatisfied.length > 0) {
      throw new GerritHttpError(
        409,
        `Failed to submit 1 change due to the following problems:\n` +
          unsatisfied
            .map((l) => `Change ${change.number}: submit requirement '${l}' is unsatisfied.`)
            .join('\n'),
      )
    }
    await this.mergeIntoBranch(change, account, date)
  }

  /** Merges the current patch set into its branch (MERGE_IF_NECESSARY) with real git. */
  async mergeIntoBranch(change: Change, account: Account, date = this.now()): Promise<string> {
    if (change.status !== 'NEW') throw new GerritHttpError(409, `change is ${change.status.toLowerCase()}`)
    const gitDir = change.project.gitDir
    const ps = this.currentPatchSet(change)
    const branchRef = `refs/heads/${change.branch}`
    const tip = await resolveRef(gitDir, branchRef)
    let merged = ps.sha
    if (tip && !(await isAncestor(gitDir, tip, ps.sha))) {
      const tree = await mergeTree(gitDir, tip, ps.sha)
      if (!tree) {
        throw new GerritHttpError(
          409,
          `Failed to submit 1 change due to the following problems:\nChange ${change.number}: ` +
            'Change could not be merged due to a path conflict. Please rebase the change locally and ' +
            'upload the rebased commit for review.',
        )
      }
      const person = { name: account.name, email: account.email, date }
      merged = await writeCommit(gitDir, {
        parents: [tip, ps.sha],
        files: {},
        baseTree: tree,
        message: `Merge "${change.subject}"\n`,
        author: person,
      })
    }
    await updateRef(gitDir, branchRef, merged)
    change.status = 'MERGED'
    change.submitted = date
    change.submitter = account
    this.addMessage(change, {
      message: `Change has been successfully merged by ${account.name}`,
      author: account,
      tag: 'autogenerated:gerrit:merged',
      date,
      patchset: ps.number,
    })
    return merged
  }

  abandon(change: Change, account: Account, message?: string, date = this.now()): void {
    if (change.status !== 'NEW') throw new GerritHttpError(409, `change is ${change.status.toLowerCase()}`)
    change.status = 'ABANDONED'
    this.addMessage(change, {
      message: message ? `Abandoned\n\n${message}` : 'Abandoned',
      author: account,
      tag: 'autogenerated:gerrit:abandon',
      date,
    })
  }

  restore(change: Change, account: Account, message?: string, date = this.now()): void {
    if (change.status !== 'ABANDONED')
      throw new GerritHttpError(409, `change is ${change.status.toLowerCase()}`)
    change.status = 'NEW'
    this.addMessage(change, {
      message: message ? `Restored\n\n${message}` : 'Restored',
      author: account,
      tag: 'autogenerated:gerrit:restore',
      date,
    })
  }
}
