import { isAbsolute, join, resolve } from 'node:path'
import * as core from '@actions/core'
import { InputError, boolInput as bool, numberInput } from '@stackci/action-kit'

export interface Settings {
  /** Absolute path of the job description. */
  config: string
  /** The change's target branch. */
  branch: string
  dest: string
  devstackRepo: string
  timeoutMs: number
  logDir: string
  dryRun: boolean
  stackUser: string
  stackUserSudo: boolean
  etcDir: string
  /** Where relative paths of the job (project checkouts) are resolved: the workspace. */
  workspace: string
}

function absolute(name: string, value: string): string {
  if (!isAbsolute(value)) throw new InputError(name, `must be an absolute path, got '${value}'`)
  return value
}

export function readInputs(env: NodeJS.ProcessEnv = process.env): Settings {
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  const config = core.getInput('config', { required: true })
  const minutes = numberInput('timeout-minutes', 120, { positive: true })
  const branch = core.getInput('branch') || env.GITHUB_BASE_REF || env.GITHUB_REF_NAME || 'master'
  const stackUser = core.getInput('stack-user') || 'stack'
  if (stackUser === 'root')
    throw new InputError('stack-user', 'devstack refuses to run as root (stack.sh exits)')
  const logDir = core.getInput('log-dir')
  return {
    config: resolve(workspace, config),
    branch,
    dest: absolute('dest', core.getInput('dest') || '/opt/stack').replace(/\/+$/, ''),
    devstackRepo: core.getInput('devstack-repo') || 'https://opendev.org/openstack/devstack',
    timeoutMs: Math.round(minutes * 60_000),
    logDir: logDir ? resolve(workspace, logDir) : join(env.RUNNER_TEMP || workspace, 'devstack-logs'),
    dryRun: bool('dry-run'),
    stackUser,
    stackUserSudo: bool('stack-user-sudo'),
    etcDir: absolute('etc-dir', core.getInput('etc-dir') || '/etc'),
    workspace,
  }
}
