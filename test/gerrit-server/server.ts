import { mkdtempSync, rmSync } from 'node:fs'
import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FaultSwitches, type Fault, type FaultMatch, type FaultRule } from './faults.js'
import type { FileContents } from './git.js'
import { serveGit } from './git-http.js'
import { authenticate, readBody, textReply, UNAUTHORIZED, type Reply } from './http.js'
import {
  ADMINISTRATORS,
  GerritHttpError,
  GerritModel,
  type Account,
  type AccountOptions,
  type Change,
  type ChangeMessage,
  type PatchSet,
  type ProjectOptions,
} from './model.js'
import { handleRest } from './rest.js'

export interface GerritServerOptions {
  /** Serve under this path prefix (e.g. '/r'), as Gerrit behind a reverse proxy does. */
  pathPrefix?: string
  /** The server's clock: message, patch set and vote dates, and `age:` queries. */
  now?: () => Date
  /** Keep the git repositories here (default: a fresh temp directory removed on close). */
  gitRoot?: string
}

/** One request as the server saw it. */
export interface RequestRecord {
  method: string
  /** Path after the prefix, with `/a` kept: '/a/changes/p~1/revisions/current/review'. */
  path: string
  query: string
  /** The authenticated username, if any. */
  user?: string
  /** Parsed JSON body of POST/PUT requests. */
  body?: unknown
  /** Status written, undefined when a fault cut the reply. */
  status?: number
  fault?: Fault['kind']
}

/** What fixture calls return about a change: enough to fetch it, report on it, and query it. */
export interface ChangeRef {
  number: number
  /** `<project>~<number>`, URL-encoded as Gerrit prints ChangeInfo.id. */
  id: string
  changeId: string
  project: string
  branch: string
  patchset: number
  revision: string
  ref: string
  /** When the current patch set was uploaded. */
  created: Date
}

type AccountRef = Account | string

export class GerritTestServer {
  readonly model: GerritModel
  readonly faults = new FaultSwitches()
  readonly requests: RequestRecord[] = []
  /** Pre-created account in Administrators: the default actor of fixture calls. */
  readonly admin: Account
  /** Base URL including the path prefix, without a trailing slash. */
  url = ''
  private server: Server
  private clock: () => Date
  private ownsGitRoot: boolean
  private readonly prefix: string

  constructor(private readonly options: GerritServerOptions = {}) {
    this.clock = options.now ?? (() => new Date())
    this.ownsGitRoot = !options.gitRoot
    const gitRoot = options.gitRoot ?? mkdtempSync(join(tmpdir(), 'stackci-gerrit-'))
    this.model = new GerritModel(gitRoot, () => this.clock())
    this.admin = this.model.addAccount({
      username: 'admin',
      name: 'Administrator',
      groups: [ADMINISTRATORS],
    })
    this.prefix = (options.pathPrefix ?? '').replace(/\/+$/, '')
    if (this.prefix && !this.prefix.startsWith('/')) this.prefix = `/${this.prefix}`
    this.server = createServer((req, res) => void this.handle(req, res))
  }

  async listen(): Promise<this> {
    await new Promise<void>((res, rej) => {
      this.server.once('error', rej)
      this.server.listen(0, '127.0.0.1', () => res())
    })
    const { port } = this.server.address() as AddressInfo
    this.url = `http://127.0.0.1:${port}${this.prefix}`
    return this
  }

  /** Stops listening, drops every open connection (including hanging ones) and removes the repositories. */
  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((res) => this.server.close(() => res()))
    if (this.ownsGitRoot) rmSync(this.model.gitRoot, { recursive: true, force: true })
  }

  /** Replaces the server clock. */
  setNow(now: () => Date): void {
    this.clock = now
  }

  // ---- fault switches -------------------------------------------------------------------

  /** Arms a fault for the next matching request(s); see faults.ts for the kinds. */
  inject(fault: Fault, match: FaultMatch = {}): FaultRule {
    return this.faults.add(fault, match)
  }

  // ---- fixture API ------------------------------------------------------------------------

  addAccount(opts: AccountOptions): Account {
    return this.model.addAccount(opts)
  }

  async createProject(opts: ProjectOptions): Promise<void> {
    await this.model.createProject(opts, this.admin)
  }

  async createBranch(project: string, branch: string, from = 'master'): Promise<string> {
    return this.model.createBranch(project, branch, from)
  }

  async createChange(opts: {
    project: string
    branch?: string
    owner?: AccountRef
    subject?: string
    body?: string
    files?: FileContents
    created?: Date
    topic?: string
    changeId?: string
    workInProgress?: boolean
  }): Promise<ChangeRef> {
    const change = await this.model.createChange({
      ...opts,
      owner: this.model.account(opts.owner ?? this.admin),
      files: opts.files ?? { [`change-${this.model.changes.length + 1}.txt`]: 'new file\n' },
    })
    return this.changeRef(change)
  }

  /** Creates a change and merges it at once, as if it had landed: the branch moves on. */
  async land(opts: Parameters<GerritTestServer['createChange']>[0]): Promise<ChangeRef> {
    const c = await this.createChange(opts)
    await this.merge(c.number)
    return c
  }

  async addPatchSet(
    change: number,
    opts: {
      files?: FileContents
      uploader?: AccountRef
      created?: Date
      subject?: string
      body?: string
      rebase?: boolean
    } = {},
  ): Promise<ChangeRef> {
    const c = this.model.change(change)
    await this.model.addPatchSet(c, {
      ...opts,
      files: opts.files ?? { [`change-${change}.txt`]: `patch set ${c.patchSets.length + 1}\n` },
      uploader: opts.uploader ? this.model.account(opts.uploader) : undefined,
    })
    return this.changeRef(c)
  }

  /**
   * A review as an account posts it through Set Review (same permission and state checks):
   * message, labels and tag, on a patch set (default: current) at a date (default: now).
   */
  review(
    change: number,
    opts: {
      account: AccountRef
      message?: string
      labels?: Record<string, number>
      tag?: string
      date?: Date
      patchset?: number
    },
  ): { labels?: Record<string, number> } {
    const c = this.model.change(change)
    const ps = opts.patchset
      ? this.model.resolveRevision(c, String(opts.patchset))
      : this.model.currentPatchSet(c)
    return this.model.review(c, ps, this.model.account(opts.account), {
      message: opts.message,
      labels: opts.labels,
      tag: opts.tag,
      date: opts.date,
    })
  }

  /** A comment ("recheck", a CI report...) by an account; stored as "Patch Set N:\n\n<message>". */
  addMessage(
    change: number,
    opts: { author: AccountRef; message: string; tag?: string; date?: Date; patchset?: number },
  ): ChangeMessage {
    this.review(change, {
      account: opts.author,
      message: opts.message,
      tag: opts.tag,
      date: opts.date,
      patchset: opts.patchset,
    })
    return this.model.change(change).messages.at(-1)!
  }

  /** Votes (e.g. { 'Code-Review': 2, Workflow: 1 }) by an account (default: admin), with an optional message. */
  setLabels(
    change: number,
    labels: Record<string, number>,
    opts: { account?: AccountRef; message?: string; tag?: string; date?: Date } = {},
  ): void {
    this.review(change, { account: opts.account ?? this.admin, labels, ...opts })
  }

  /** Code-Review +2 and Workflow +1: what a core reviewer does to send a change to the gate. */
  approve(change: number, opts: { account?: AccountRef; date?: Date } = {}): void {
    this.setLabels(change, { 'Code-Review': 2, Workflow: 1 }, opts)
  }

  abandon(change: number, opts: { account?: AccountRef; message?: string; date?: Date } = {}): void {
    this.model.abandon(
      this.model.change(change),
      this.model.account(opts.account ?? this.admin),
      opts.message,
      opts.date,
    )
  }

  restore(change: number, opts: { account?: AccountRef; message?: string; date?: Date } = {}): void {
    this.model.restore(
      this.model.change(change),
      this.model.account(opts.account ?? this.admin),
      opts.message,
      opts.date,
    )
  }

  /** Merges the current patch set into its branch with real git, bypassing submit requirements. */
  async merge(change: number, opts: { account?: AccountRef; date?: Date } = {}): Promise<string> {
    return this.model.mergeIntoBranch(
      this.model.change(change),
      this.model.account(opts.account ?? this.admin),
      opts.date,
    )
  }

  /** The model's change (status, patch sets, approvals, messages) for assertions. */
  change(number: number): Change {
    return this.model.change(number)
  }

  /** Messages of a change, oldest first. */
  messages(change: number): ChangeMessage[] {
    return this.model.change(change).messages
  }

  /** The current vote of an account on a label of the current patch set (undefined if none). */
  vote(change: number, label: string, account: AccountRef): number | undefined {
    const c = this.model.change(change)
    const a = this.model.account(account)
    return this.model
      .approvalsOf(c, this.model.currentPatchSet(c).number)
      .find((v) => v.label === label && v.account.id === a.id)?.value
  }

  /** Fetch URL of a project: anonymous, or /a/ with the account's credentials embedded. */
  gitUrl(project: string, account?: AccountRef): string {
    if (!account) return `${this.url}/${project}`
    const a = this.model.account(account)
    const u = new URL(`${this.url}/a/${project}`)
    u.username = encodeURIComponent(a.username)
    u.password = encodeURIComponent(a.httpPassword)
    return u.toString()
  }

  changeRef(change: Change): ChangeRef {
    const ps: PatchSet = this.model.currentPatchSet(change)
    return {
      number: change.number,
      id: `${encodeURIComponent(change.project.name)}~${change.number}`,
      changeId: change.changeId,
      project: change.project.name,
      branch: change.branch,
      patchset: ps.number,
      revision: ps.sha,
      ref: ps.ref,
      created: ps.created,
    }
  }

  // ---- HTTP -------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/'
    const q = raw.indexOf('?')
    const fullPath = q >= 0 ? raw.slice(0, q) : raw
    const query = q >= 0 ? raw.slice(q + 1) : ''
    const method = req.method ?? 'GET'
    if (this.prefix && !(fullPath === this.prefix || fullPath.startsWith(`${this.prefix}/`))) {
      return this.write(res, textReply(404, 'Not Found'), { method, path: fullPath, query })
    }
    const path = fullPath.slice(this.prefix.length) || '/'
    const authed = path.startsWith('/a/')
    const bare = authed ? path.slice(2) : path
    const record: RequestRecord = { method, path, query }
    this.requests.push(record)

    const fault = this.faults.take(method, bare)
    if (fault) record.fault = fault.kind
    if (fault?.kind === 'reset') {
      req.socket.destroy()
      return
    }
    if (fault?.kind === 'hang') return
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {}
      req.resume()
      return this.write(
        res,
        textReply(fault.status, fault.body ?? STATUS_CODES[fault.status] ?? `Error ${fault.status}`, headers),
        record,
      )
    }

    let caller: Account | undefined
    if (authed) {
      caller = authenticate(req, this.model)
      if (!caller) {
        req.resume()
        return this.write(res, UNAUTHORIZED, record)
      }
      record.user = caller.username
    }

    const git = /^\/(.+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack|HEAD)$/.exec(bare)
    if (git && !bare.startsWith('/changes/') && !bare.startsWith('/projects/')) {
      const project = git[1]!
      if (!this.model.projects.has(project)) return this.write(res, textReply(404, 'Not Found'), record)
      if (git[2] === 'git-receive-pack' || /service=git-receive-pack/.test(query)) {
        return this.write(res, textReply(403, 'pushing is done through the fixture API'), record)
      }
      if (fault?.kind === 'lost-reply') {
        req.socket.destroy()
        return
      }
      record.status = 200
      serveGit(req, res, {
        gitRoot: this.model.gitRoot,
        project,
        rest: git[2]!,
        query,
        user: caller?.username,
      })
      return
    }

    let reply: Reply
    try {
      const body = method === 'POST' || method === 'PUT' ? await readBody(req) : ''
      if (body) {
        try {
          record.body = JSON.parse(body)
        } catch {
          record.body = body
        }
      }
      let segments: string[]
      try {
        segments = bare.split('/').slice(1).map(decodeURIComponent)
      } catch {
        throw new GerritHttpError(400, `malformed URL: ${bare}`)
      }
      reply = await handleRest(this.model, {
        method,
        segments,
        params: new URLSearchParams(query),
        body,
        caller,
        baseUrl: this.url,
      })
    } catch (e) {
      reply =
        e instanceof GerritHttpError
          ? textReply(e.status, e.message)
          : textReply(500, `Internal server error: ${(e as Error).message}`)
    }
    if (fault?.kind === 'lost-reply') {
      // The work is done and stored; only the answer is lost.
      if (fault.after !== 'hang') req.socket.destroy()
      return
    }
    this.write(res, reply, record)
  }

  private write(res: ServerResponse, reply: Reply, record: RequestRecord): void {
    record.status = reply.status
    res.writeHead(reply.status, reply.headers)
    res.end(reply.body)
  }
}

/** Starts a test Gerrit on 127.0.0.1 on a free port. */
export async function startGerritServer(options: GerritServerOptions = {}): Promise<GerritTestServer> {
  return new GerritTestServer(options).listen()
}
