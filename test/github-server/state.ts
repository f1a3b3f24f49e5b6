import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ReleaseAsset {
  id: number
  releaseId: number
  name: string
  label: string | null
  contentType: string
  /** 'uploaded' once the whole body arrived; 'starter' for an upload that broke off (GitHub keeps those). */
  state: 'uploaded' | 'starter'
  size: number
  /** sha256 of the stored body; GitHub reports it as `digest: "sha256:<hex>"`. */
  sha256: string | null
  downloadCount: number
  createdAt: string
  updatedAt: string
  uploader: string
  /** Where the body lives on disk (multi-GB assets never sit in memory). */
  file: string
}

export interface Release {
  id: number
  tagName: string
  targetCommitish: string
  name: string | null
  body: string | null
  draft: boolean
  prerelease: boolean
  createdAt: string
  publishedAt: string | null
  author: string
  /** Suffix of the `untagged-…` URL a draft is known by. */
  untaggedId: string
  assets: ReleaseAsset[]
}

export interface Repository {
  owner: string
  name: string
  fullName: string
  id: number
  private: boolean
  defaultBranch: string
  releases: Release[]
  /** tag name → commit SHA; a release's tag is created when the release is published. */
  tags: Map<string, string>
  /** Release marked latest by make_latest=true; otherwise the newest by created_at wins. */
  latestReleaseId: number | undefined
  /** Per-repository data of other route files (workflow runs, ...), see slot(). */
  readonly slots: Map<string, unknown>
}

/** GitHub lists releases and workflow runs newest first: by created_at, then by id (later wins). */
export function newestFirst(
  a: { createdAt: string; id: number },
  b: { createdAt: string; id: number },
): number {
  return b.createdAt.localeCompare(a.createdAt) || b.id - a.id
}

/**
 * Everything the server knows, shared by all route files. Tests read and seed it directly;
 * route files that need their own data keep it in a named slot so files do not collide.
 */
export class GitHubState {
  readonly repos = new Map<string, Repository>()
  /** token → login */
  readonly tokens = new Map<string, string>()
  readonly storageDir: string
  private readonly slots = new Map<string, unknown>()
  private lastId = 1000
  private clockMs: number

  constructor(startTime = Date.parse('2026-01-01T00:00:00Z')) {
    this.storageDir = mkdtempSync(join(tmpdir(), 'stackci-github-storage-'))
    this.clockMs = startTime
  }

  nextId(): number {
    return ++this.lastId
  }

  /** Strictly increasing timestamps, so "newest" is well defined even within one millisecond. */
  now(): string {
    this.clockMs = Math.max(this.clockMs + 1000, Date.now())
    return new Date(this.clockMs).toISOString().replace(/\.\d{3}Z$/, 'Z')
  }

  addToken(token: string, login: string): void {
    this.tokens.set(token, login)
  }

  addRepo(fullName: string, options: { private?: boolean; defaultBranch?: string } = {}): Repository {
    const [owner, name, extra] = fullName.split('/')
    if (!owner || !name || extra !== undefined)
      throw new Error(`repository must be owner/name, got '${fullName}'`)
    const repo: Repository = {
      owner,
      name,
      fullName,
      id: this.nextId(),
      private: options.private ?? false,
      defaultBranch: options.defaultBranch ?? 'main',
      releases: [],
      tags: new Map(),
      latestReleaseId: undefined,
      slots: new Map(),
    }
    this.repos.set(fullName.toLowerCase(), repo)
    return repo
  }

  repo(owner: string, name: string): Repository | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase())
  }

  /** Server-wide data of a route file, created on first use: `state.slot('actions', () => new RunsState())`. */
  slot<T>(key: string, init: () => T): T {
    if (!this.slots.has(key)) this.slots.set(key, init())
    return this.slots.get(key) as T
  }

  /** Per-repository data of a route file. */
  repoSlot<T>(repo: Repository, key: string, init: () => T): T {
    if (!repo.slots.has(key)) repo.slots.set(key, init())
    return repo.slots.get(key) as T
  }

  dispose(): void {
    rmSync(this.storageDir, { recursive: true, force: true })
  }
}
