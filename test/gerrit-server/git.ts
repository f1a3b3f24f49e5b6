import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * The git plumbing behind the test server: every change and patch set is a real commit in a real
 * bare repository, so `git fetch <url> refs/changes/NN/N/P` through git http-backend returns what
 * the REST API describes.
 */

export interface GitIdentity {
  name: string
  email: string
  date: Date
}

/** A file of a patch set: text content, or null to delete the path. */
export type FileContents = Record<string, string | null>

export interface FileStat {
  path: string
  /** A(dded), D(eleted), M(odified), R(enamed)... as `git diff-tree --name-status` prints it. */
  status: string
  linesInserted: number
  linesDeleted: number
  binary: boolean
  /** Size in bytes of the new file (0 when deleted). */
  size: number
  /** New size minus old size. */
  sizeDelta: number
}

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed (${exitCode}): ${stderr.trim()}`)
    this.name = 'GitError'
  }
}

export async function git(
  gitDir: string,
  args: string[],
  options: { input?: string; env?: Record<string, string>; allowFail?: boolean } = {},
): Promise<{ stdout: string; code: number | null }> {
  const child = spawn('git', ['--git-dir', gitDir, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: gitDir, LANG: 'C', ...options.env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c))
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  if (child.stdin) {
    // A command that exits without reading its input must not crash the server with EPIPE.
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.input)
  }
  const code = await new Promise<number | null>((res, rej) => {
    child.on('error', rej)
    child.on('close', res)
  })
  if (code !== 0 && !options.allowFail) throw new GitError(args, code, stderr)
  return { stdout, code }
}

function identityEnv(author: GitIdentity, committer: GitIdentity = author): Record<string, string> {
  // git's internal date format "<epoch> +0000": exact, and independent of the local zone.
  const stamp = (d: Date) => `${Math.floor(d.getTime() / 1000)} +0000`
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_AUTHOR_DATE: stamp(author.date),
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_COMMITTER_DATE: stamp(committer.date),
  }
}

export async function initBare(gitDir: string): Promise<void> {
  mkdirSync(gitDir, { recursive: true })
  await git(gitDir, ['init', '--bare', '--quiet'])
  // http-backend serves upload-pack only when the repository allows it; protocol v2 lets clients
  // ask for refs/changes/* by prefix the way they do against Gerrit.
  await git(gitDir, ['config', 'http.uploadpack', 'true'])
  await git(gitDir, ['config', 'http.receivepack', 'false'])
  await git(gitDir, ['config', 'uploadpack.allowAnySHA1InWant', 'true'])
}

/** Writes a commit whose tree is `parent`'s tree with `files` applied; returns its SHA. */
export async function writeCommit(
  gitDir: string,
  opts: {
    parents: string[]
    files: FileContents
    message: string
    author: GitIdentity
    committer?: GitIdentity
    /** Start from this tree instead of the first parent's. */
    baseTree?: string
  },
): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), 'stackci-gerrit-index-'))
  const env = { GIT_INDEX_FILE: join(scratch, 'index') }
  try {
    const base = opts.baseTree ?? opts.parents[0]
    if (base) await git(gitDir, ['read-tree', base], { env })
    else await git(gitDir, ['read-tree', '--empty'], { env })
    for (const [path, content] of Object.entries(opts.files)) {
      if (content === null) {
        // --index-info with mode 0 removes the entry; --force-remove would need a work tree.
        await git(gitDir, ['update-index', '--index-info'], { env, input: `0 ${'0'.repeat(40)}\t${path}\n` })
        continue
      }
      const blob = (await git(gitDir, ['hash-object', '-w', '--stdin'], { input: content })).stdout.trim()
      await git(gitDir, ['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], { env })
    }
    const tree = (await git(gitDir, ['write-tree'], { env })).stdout.trim()
    const parentArgs = opts.parents.flatMap((p) => ['-p', p])
    const commit = await git(gitDir, ['commit-tree', tree, ...parentArgs, '-F', '-'], {
      input: opts.message,
      env: identityEnv(opts.author, opts.committer),
    })
    return commit.stdout.trim()
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

export async function updateRef(gitDir: string, ref: string, sha: string): Promise<void> {
  await git(gitDir, ['update-ref', ref, sha])
}

export async function resolveRef(gitDir: string, ref: string): Promise<string | undefined> {
  const r = await git(gitDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { allowFail: true })
  return r.code === 0 ? r.stdout.trim() : undefined
}

export async function isAncestor(gitDir: string, ancestor: string, descendant: string): Promise<boolean> {
  const r = await git(gitDir, ['merge-base', '--is-ancestor', ancestor, descendant], { allowFail: true })
  return r.code === 0
}

/** A real three-way merge (git merge-tree --write-tree); undefined on conflict. */
export async function mergeTree(gitDir: string, ours: string, theirs: string): Promise<string | undefined> {
  const r = await git(gitDir, ['merge-tree', '--write-tree', '--no-messages', ours, theirs], {
    allowFail: true,
  })
  if (r.code === 0) return r.stdout.split('\n')[0]!.trim()
  if (r.code === 1) return undefined
  throw new GitError(['merge-tree', ours, theirs], r.code, r.stdout)
}

/** The files a commit changes against its first parent, with line and size counts. */
export async function diffStats(
  gitDir: string,
  commit: string,
  parent: string | undefined,
): Promise<FileStat[]> {
  const base =
    parent ?? (await git(gitDir, ['hash-object', '-t', 'tree', '--stdin'], { input: '' })).stdout.trim()
  const names = (
    await git(gitDir, ['diff-tree', '-r', '--no-commit-id', '--name-status', '-z', base, commit])
  ).stdout
  const numstat = (await git(gitDir, ['diff-tree', '-r', '--no-commit-id', '--numstat', '-z', base, commit]))
    .stdout
  const counts = new Map<string, { ins: number; del: number; binary: boolean }>()
  for (const entry of numstat.split('\0').filter(Boolean)) {
    const [ins, del, path] = entry.split('\t')
    counts.set(path!, { ins: Number(ins) || 0, del: Number(del) || 0, binary: ins === '-' })
  }
  const parts = names.split('\0').filter(Boolean)
  const stats: FileStat[] = []
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const status = parts[i]!
    const path = parts[i + 1]!
    const c = counts.get(path) ?? { ins: 0, del: 0, binary: false }
    const size = status === 'D' ? 0 : await blobSize(gitDir, `${commit}:${path}`)
    const oldSize = status === 'A' ? 0 : await blobSize(gitDir, `${base}:${path}`)
    stats.push({
      path,
      status,
      linesInserted: c.ins,
      linesDeleted: c.del,
      binary: c.binary,
      size,
      sizeDelta: size - oldSize,
    })
  }
  return stats
}

async function blobSize(gitDir: string, spec: string): Promise<number> {
  const r = await git(gitDir, ['cat-file', '-s', spec], { allowFail: true })
  return r.code === 0 ? Number(r.stdout.trim()) : 0
}
