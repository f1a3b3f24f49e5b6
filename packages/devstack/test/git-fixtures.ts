import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** Real git repositories for the tests: committed files, tags, branches. */
export const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'stackci test',
  GIT_AUTHOR_EMAIL: 'test@example.org',
  GIT_COMMITTER_NAME: 'stackci test',
  GIT_COMMITTER_EMAIL: 'test@example.org',
  GIT_CONFIG_NOSYSTEM: '1',
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    // $DEST belongs to the stack user after setup-devstack ran; the tests (root) still read it.
    ['-c', 'init.defaultBranch=master', '-c', 'advice.detachedHead=false', '-c', 'safe.directory=*', ...args],
    { cwd, env: gitEnv, encoding: 'utf8' },
  ).trim()
}

export function tempDir(prefix = 'stackci-devstack-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** Creates a repository at `dir` with `files` committed in one commit on master. */
export function makeRepo(dir: string, files: Record<string, string>, message = 'initial'): string {
  mkdirSync(dir, { recursive: true })
  git(dir, 'init', '-q')
  commitFiles(dir, files, message)
  return dir
}

export function commitFiles(dir: string, files: Record<string, string>, message: string): string {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', message)
  return git(dir, 'rev-parse', 'HEAD')
}

/** A devstack plugin repository: devstack/settings with define_plugin and plugin_requires lines. */
export function makePlugin(dir: string, name: string, requires: string[] = []): string {
  const settings = [
    `# settings of ${name}`,
    `define_plugin ${name}`,
    ...requires.map((r) => `plugin_requires ${name} ${r}`),
    `${name.toUpperCase().replace(/-/g, '_')}_DIR=$DEST/${name}`,
    '',
  ].join('\n')
  return makeRepo(dir, { 'devstack/settings': settings, 'devstack/plugin.sh': '# plugin\n' })
}
