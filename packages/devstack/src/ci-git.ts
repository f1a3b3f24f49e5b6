import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Exec } from '@stackci/exec'

/** Options for every git command: no hooks of someone else's repository run here. */
export const GIT = [
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'advice.detachedHead=false',
  '-c',
  'protocol.file.allow=always',
]

let globalConfig: string | undefined

/**
 * A global git config that trusts every repository, including the user's own global config.
 * The workspace belongs to the runner's user, $DEST to the stack user, and this runs as root, so
 * git's "dubious ownership" check would refuse them; `-c safe.directory=*` is not enough because
 * git (2.39) drops command-line config for the upload-pack of a local clone, while
 * GIT_CONFIG_GLOBAL reaches it.
 */
function trustingGlobalConfig(): string {
  if (globalConfig && existsSync(globalConfig)) return globalConfig
  const dir = mkdtempSync(join(tmpdir(), 'stackci-git-'))
  // One file serves every git command of the process, so it can only go when the process does.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'gitconfig')
  const own = process.env.GIT_CONFIG_GLOBAL || join(homedir(), '.gitconfig')
  const include = existsSync(own) ? `[include]\n\tpath = ${own}\n` : ''
  writeFileSync(file, `${include}[safe]\n\tdirectory = *\n`)
  globalConfig = file
  return file
}

/** `exec` with git commands run under the trusting global config. */
export function ciGitExec(exec: Exec): Exec {
  return (file, args, options = {}) =>
    file === 'git'
      ? exec(file, args, {
          ...options,
          env: { ...(options.env ?? process.env), GIT_CONFIG_GLOBAL: trustingGlobalConfig() },
        })
      : exec(file, args, options)
}
