import { mkdir } from 'node:fs/promises'
import { CommandError, nodeExec, type ExecResult } from '@stackci/exec'

/**
 * Prepares the repository state a Gerrit change is tested in, as Zuul's merger does: the target
 * branch's current tip with the patch set merged onto it (a `git merge -s resolve`, Zuul's default
 * merge mode for Gerrit). Testing the patch set alone would miss what merged since it was uploaded.
 * A conflict is a MERGE_FAILURE of the change, never a test failure.
 */
export interface PrepareChangeInput {
  /** Clone URL of the project (Gerrit's git over HTTP, credentials included if needed). */
  gitUrl: string
  branch: string
  /** refs/changes/NN/N/P */
  ref: string
  /** The patch set's commit; the fetched ref must point at it. */
  revision?: string
  /** Directory to create the checkout in (must not exist or be empty). */
  dir: string
  /** Merge onto the branch tip (default) or check out the patch set as it is. */
  merge?: boolean
}

export interface PreparedChange {
  dir: string
  /** HEAD of the prepared checkout: the merge commit, or the patch set when it fast-forwarded. */
  head: string
  branchTip: string
  revision: string
  /** Files the change touches relative to the branch tip (what matchers look at). */
  changedFiles: string[]
  /** A merge commit was made (the branch moved on since the patch set's parent). */
  merged: boolean
}

export class MergeConflictError extends Error {
  constructor(
    readonly ref: string,
    readonly branch: string,
    readonly conflicts: string[],
  ) {
    super(
      `${ref} does not merge onto the tip of ${branch}` +
        (conflicts.length ? `: conflicts in ${conflicts.join(', ')}` : '') +
        '; rebase the change and upload a new patch set',
    )
    this.name = 'MergeConflictError'
  }
}

export type Git = (args: string[], cwd: string) => Promise<ExecResult>

// Hooks, signing and the user's config must not change what is tested; the identity is the CI's.
const GIT_ENV = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'stackci',
  GIT_AUTHOR_EMAIL: 'stackci@localhost',
  GIT_COMMITTER_NAME: 'stackci',
  GIT_COMMITTER_EMAIL: 'stackci@localhost',
}

export const defaultGit: Git = (args, cwd) =>
  nodeExec('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'commit.gpgSign=false', ...args], {
    cwd,
    env: { ...process.env, ...GIT_ENV },
  })

/**
 * Files a change touches: what Gerrit lists for a patch set, the diff of `head` against its merge
 * base with `base`. A rename counts as its old and its new path (either may match a pattern), and
 * -z keeps non-ASCII paths as they are instead of C-quoting them.
 */
export async function changedFiles(git: Git, dir: string, base: string, head: string): Promise<string[]> {
  const r = await git(['diff', '--name-only', '-z', '--no-renames', `${base}...${head}`], dir)
  if (r.code !== 0) throw new CommandError(`git diff ${base}...${head}`, r)
  return r.stdout.split('\0').filter(Boolean)
}

/** Removes credentials from a URL before it can appear in an error message or a log. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@\s]*@/, '//***@')
}

export async function prepareChange(
  input: PrepareChangeInput,
  git: Git = defaultGit,
): Promise<PreparedChange> {
  const must = async (args: string[], what: string) => {
    const r = await git(args, input.dir)
    // A fetch URL may carry credentials, and git repeats it in its messages.
    if (r.code !== 0)
      throw new CommandError(what, { ...r, stderr: redactUrl(r.stderr), stdout: redactUrl(r.stdout) })
    return r.stdout.trim()
  }
  await mkdir(input.dir, { recursive: true })
  await must(['init', '--quiet', '--initial-branch', input.branch], 'git init')
  await must(
    [
      'fetch',
      '--quiet',
      '--no-tags',
      input.gitUrl,
      `+refs/heads/${input.branch}:refs/remotes/origin/${input.branch}`,
    ],
    `fetching branch ${input.branch} from ${redactUrl(input.gitUrl)}`,
  )
  await must(
    ['fetch', '--quiet', '--no-tags', input.gitUrl, `+${input.ref}:refs/stackci/change`],
    `fetching ${input.ref}`,
  )
  const branchTip = await must(['rev-parse', `refs/remotes/origin/${input.branch}`], 'rev-parse')
  const revision = await must(['rev-parse', 'refs/stackci/change'], 'rev-parse')
  if (input.revision && revision !== input.revision) {
    throw new Error(
      `${input.ref} points at ${revision}, not the patch set's ${input.revision}: a newer patch set?`,
    )
  }
  const merge = input.merge !== false
  await must(['checkout', '--quiet', '-B', input.branch, merge ? branchTip : revision], 'checkout')
  if (merge) {
    // Fast-forwards when the patch set sits on the tip, as Zuul's merger does; merges otherwise.
    const r = await git(['merge', '--quiet', '--no-edit', '-s', 'resolve', revision], input.dir)
    if (r.code !== 0) {
      // -z, as in changedFiles: a non-ASCII path is named as it is, not C-quoted.
      const conflicts = (await git(['diff', '--name-only', '-z', '--diff-filter=U'], input.dir)).stdout
        .split('\0')
        .filter(Boolean)
      await git(['merge', '--abort'], input.dir)
      throw new MergeConflictError(input.ref, input.branch, conflicts)
    }
  }
  const head = await must(['rev-parse', 'HEAD'], 'rev-parse')
  const files = await changedFiles(git, input.dir, branchTip, revision)
  return { dir: input.dir, head, branchTip, revision, changedFiles: files, merged: head !== revision }
}
