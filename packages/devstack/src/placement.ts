import { existsSync, rmSync, statSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { run, type Exec } from '@stackci/exec'
import { ContractError } from '@stackci/model'
import { ciGitExec, GIT } from './ci-git.js'
import {
  shortName,
  type DevstackJob,
  type PluginSpec,
  type ProjectSpec,
  type RequiredProject,
} from './job.js'

export interface PlacedProject {
  name: string
  shortName: string
  source: string
  dest: string
  /** The commit checked out in $DEST, the same as the source checkout's HEAD. */
  sha: string
  branch: string
  warnings: string[]
}

/**
 * Places each project under test in $DEST/<short name> as a clone of its checkout, with the full
 * history the checkout has (pbr computes versions from tags) and the checkout's HEAD on a local
 * branch named after the target branch, as Zuul's prepared repos are. Devstack's git_clone leaves
 * an existing directory alone unless RECLONE is set, so this is the code devstack installs.
 */
export async function placeProjects(
  projects: ProjectSpec[],
  opts: { dest: string; branch: string; baseDir: string; exec: Exec },
): Promise<PlacedProject[]> {
  const placed: PlacedProject[] = []
  const exec = ciGitExec(opts.exec)
  for (const p of projects) placed.push(await placeOne(p, { ...opts, exec }))
  return placed
}

async function placeOne(
  p: ProjectSpec,
  { dest, branch, baseDir, exec }: { dest: string; branch: string; baseDir: string; exec: Exec },
): Promise<PlacedProject> {
  const source = isAbsolute(p.path) ? p.path : resolve(baseDir, p.path)
  const where = `projects.${p.name}`
  if (!existsSync(source) || !statSync(source).isDirectory()) {
    throw new ContractError(where, `checkout '${source}' does not exist`)
  }
  const top = await exec('git', [...GIT, 'rev-parse', '--show-toplevel', 'HEAD'], { cwd: source })
  if (top.code !== 0)
    throw new ContractError(where, `'${source}' is not a git checkout: ${top.stderr.trim()}`)
  const sha = top.stdout.trim().split('\n')[1]!
  const warnings: string[] = []
  const status = await run(exec, 'git', [...GIT, 'status', '--porcelain', '--untracked-files=no'], source)
  if (status.trim())
    warnings.push(`${p.name}: uncommitted changes in ${source} are not placed; commit them to test them`)
  const shallow = (await run(exec, 'git', [...GIT, 'rev-parse', '--is-shallow-repository'], source)).trim()
  if (shallow === 'true') {
    warnings.push(
      `${p.name}: ${source} is a shallow clone; pbr needs history and tags (actions/checkout fetch-depth: 0)`,
    )
  }
  const target = join(dest, p.shortName)
  if (existsSync(target)) {
    if (!existsSync(join(target, '.git'))) {
      throw new ContractError(where, `${target} exists and is not a git checkout; refusing to replace it`)
    }
    rmSync(target, { recursive: true, force: true })
  }
  await run(exec, 'git', [...GIT, 'clone', '--quiet', '--no-checkout', source, target])
  // HEAD of an actions/checkout is often a detached merge commit that no branch holds.
  await run(exec, 'git', [...GIT, 'fetch', '--quiet', source, 'HEAD'], target)
  await run(exec, 'git', [...GIT, 'checkout', '--quiet', '-B', branch, 'FETCH_HEAD'], target)
  const placedSha = (await run(exec, 'git', [...GIT, 'rev-parse', 'HEAD'], target)).trim()
  if (placedSha !== sha) throw new Error(`${p.name}: placed ${placedSha} but the checkout is at ${sha}`)
  return { name: p.name, shortName: p.shortName, source, dest: target, sha, branch, warnings }
}

export interface FetchedRepo {
  name: string
  dest: string
  sha: string
  /** false when $DEST/<name> was already there (a project under test, a previous fetch). */
  cloned: boolean
}

interface RepoToFetch {
  /** Directory under $DEST. */
  dir: string
  url: string
  ref?: string
  /** The job key to name in errors. */
  key: string
}

/**
 * Clones each repository that is not in $DEST yet, at its ref, or else at the branch matching
 * devstack's (`defaultRef`) where the repository has it, else master: branchless repositories
 * (tempest plugins) have only master. Existing directories are left as they are, as devstack's
 * git_clone leaves them.
 */
async function fetchRepos(
  repos: RepoToFetch[],
  options: { dest: string; defaultRef: string; exec: Exec },
): Promise<FetchedRepo[]> {
  const exec = ciGitExec(options.exec)
  const out: FetchedRepo[] = []
  for (const p of repos) {
    const target = join(options.dest, p.dir)
    let cloned = false
    if (!existsSync(target)) {
      const refs = p.ref ? [p.ref] : [...new Set([options.defaultRef, 'master'])]
      const r = await exec('git', [...GIT, 'clone', '--quiet', '--no-checkout', p.url, target])
      if (r.code !== 0) throw new ContractError(p.key, `cannot clone ${p.url}: ${r.stderr.trim()}`)
      let fetched = false
      let why = ''
      for (const ref of refs) {
        const f = await exec('git', [...GIT, 'fetch', '--quiet', 'origin', ref], { cwd: target })
        if (f.code === 0) {
          fetched = true
          break
        }
        why = f.stderr.trim()
      }
      if (!fetched) {
        rmSync(target, { recursive: true, force: true })
        throw new ContractError(p.key, `${p.url} has none of the refs ${refs.join(', ')}: ${why}`)
      }
      await run(exec, 'git', [...GIT, 'checkout', '--quiet', 'FETCH_HEAD'], target)
      cloned = true
    }
    const sha = (await run(exec, 'git', [...GIT, 'rev-parse', 'HEAD'], target)).trim()
    out.push({ name: p.dir, dest: target, sha, cloned })
  }
  return out
}

/**
 * Clones the plugins devstack's fetch_plugins would clone: their devstack/settings must be on disk
 * to order the enable_plugin lines, and devstack then finds the directories and leaves them.
 */
export function fetchPlugins(
  plugins: PluginSpec[],
  options: { dest: string; defaultRef: string; exec: Exec },
): Promise<FetchedRepo[]> {
  return fetchRepos(
    plugins.map((p) => ({
      dir: p.name,
      url: p.url,
      ...(p.ref ? { ref: p.ref } : {}),
      key: `plugins.${p.name}`,
    })),
    options,
  )
}

/** Clones the required projects into $DEST, as Zuul prepares required-projects for the gate. */
export function fetchRequiredProjects(
  projects: RequiredProject[],
  options: { dest: string; defaultRef: string; exec: Exec },
): Promise<FetchedRepo[]> {
  return fetchRepos(
    projects.map((p) => ({
      dir: p.shortName,
      url: p.url,
      ...(p.ref ? { ref: p.ref } : {}),
      key: `required_projects.${p.name}`,
    })),
    options,
  )
}

/** TEMPEST_PLUGINS directories that are not in $DEST: devstack's pip install of them would fail. */
export function missingTempestPlugins(job: DevstackJob, dest: string): string[] {
  return job.tempestPlugins.map(shortName).filter((p) => !existsSync(join(dest, p)))
}

/** Required projects (and projects under test and plugins) missing from $DEST: devstack would clone these. */
export function missingProjects(job: DevstackJob, dest: string): string[] {
  const shorts = new Set([
    ...job.requiredProjects.map((p) => p.shortName),
    ...job.projects.map((p) => p.shortName),
    ...job.plugins.map((p) => p.name),
  ])
  return [...shorts].filter((s) => !existsSync(join(dest, s, '.git')))
}

/**
 * ERROR_ON_CLONE=True only makes sense when the job lists what devstack needs
 * (required_projects) and all of it is in place; otherwise devstack must still clone.
 * `missing` is missingProjects(job, dest).
 */
export function shouldErrorOnClone(job: DevstackJob, missing: readonly string[]): boolean {
  return job.requiredProjects.length > 0 && missing.length === 0
}

/**
 * Clones devstack into $DEST/devstack at the first ref of `candidates` the repository has.
 * Returns the ref used and its commit.
 */
export async function cloneDevstack(
  repo: string,
  target: string,
  candidates: string[],
  plainExec: Exec,
): Promise<{ ref: string; sha: string }> {
  const exec = ciGitExec(plainExec)
  if (existsSync(target)) rmSync(target, { recursive: true, force: true })
  const c = await exec('git', [...GIT, 'clone', '--quiet', '--no-checkout', repo, target])
  if (c.code !== 0) throw new ContractError('devstack-repo', `cannot clone ${repo}: ${c.stderr.trim()}`)
  for (const ref of candidates) {
    const isTag = /-eol$/.test(ref)
    const spec = isTag ? `refs/tags/${ref}` : `refs/remotes/origin/${ref}`
    const has = await exec('git', [...GIT, 'rev-parse', '--verify', '--quiet', `${spec}^{commit}`], {
      cwd: target,
    })
    if (has.code !== 0) continue
    const args = isTag ? ['checkout', '--quiet', ref] : ['checkout', '--quiet', '-B', ref, spec]
    await run(exec, 'git', [...GIT, ...args], target)
    const sha = (await run(exec, 'git', [...GIT, 'rev-parse', 'HEAD'], target)).trim()
    return { ref, sha }
  }
  throw new ContractError('branch', `devstack (${repo}) has none of: ${candidates.join(', ')}`)
}
