import { isAbsolute, resolve } from 'node:path'
import * as core from '@actions/core'
import { checkPipelineName, parseVotingMode, type NotifyHandling, type VotingMode } from '@stackci/gerrit'

export interface Settings {
  gerritUrl?: string
  username?: string
  password?: string
  project: string
  change: number
  revision: string
  pipeline: string
  /** Absolute path of the results file. */
  results: string
  voting: VotingMode
  label: string
  submit: boolean
  footer?: string
  notify?: NotifyHandling
  slaHours: number
  dryRun: boolean
  timeoutMs: number
  backoffMs: number
  /** This run attempt's page: the report's link and identity. */
  runUrl: string
}

/** A bad input; the message starts with the input's name. */
export class InputError extends Error {
  constructor(input: string, message: string) {
    super(`input '${input}': ${message}`)
    this.name = 'InputError'
  }
}

function bool(name: string): boolean {
  const v = core.getInput(name).trim().toLowerCase()
  if (['true', 'yes', '1'].includes(v)) return true
  if (['false', 'no', '0', ''].includes(v)) return false
  throw new InputError(name, `expected true or false, got '${v}'`)
}

function positive(name: string, fallback: string, integer = false): number {
  const raw = core.getInput(name) || fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new InputError(name, `expected a positive ${integer ? 'integer' : 'number'}, got '${raw}'`)
  }
  return n
}

const NOTIFY: NotifyHandling[] = ['NONE', 'OWNER', 'OWNER_REVIEWERS', 'ALL']

/** Where the report links to: this run attempt (GitHub's run page). */
export function runUrlFromEnv(env: NodeJS.ProcessEnv): string {
  const server = env.GITHUB_SERVER_URL || 'https://github.com'
  if (!env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) {
    throw new InputError(
      'results',
      'GITHUB_REPOSITORY and GITHUB_RUN_ID are not set: not running in a workflow run?',
    )
  }
  return `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/attempts/${env.GITHUB_RUN_ATTEMPT || '1'}`
}

export function readInputs(env: NodeJS.ProcessEnv = process.env): Settings {
  // Mask first, before anything can print it (and its Basic-auth form, in case a tool echoes headers).
  const password = core.getInput('password')
  const username = core.getInput('username')
  if (password) {
    core.setSecret(password)
    if (username) core.setSecret(Buffer.from(`${username}:${password}`).toString('base64'))
  }
  const dryRun = bool('dry-run')
  const gerritUrl = core.getInput('gerrit-url').trim()
  if (!gerritUrl && !dryRun) throw new InputError('gerrit-url', 'is required unless dry-run is true')
  if (Boolean(username) !== Boolean(password)) {
    throw new InputError(username ? 'password' : 'username', 'is required with the other one')
  }
  const project = core.getInput('project', { required: true }).trim()
  const changeRaw = core.getInput('change', { required: true }).trim()
  if (!/^[1-9]\d*$/.test(changeRaw))
    throw new InputError('change', `expected a change number, got '${changeRaw}'`)
  const revision = core.getInput('revision', { required: true }).trim()
  if (!/^(\d{1,3}|[0-9a-fA-F]{4,40})$/.test(revision)) {
    throw new InputError('revision', `expected a commit SHA or a patch set number, got '${revision}'`)
  }
  const pipeline = core.getInput('pipeline') || 'check'
  try {
    checkPipelineName(pipeline)
  } catch (e) {
    throw new InputError('pipeline', (e as Error).message.replace(/^pipeline: /, ''))
  }
  let voting: VotingMode
  try {
    voting = parseVotingMode(core.getInput('voting') || 'none')
  } catch (e) {
    throw new InputError('voting', (e as Error).message.replace(/^voting: /, ''))
  }
  const notifyRaw = core.getInput('notify').trim().toUpperCase()
  if (notifyRaw && !NOTIFY.includes(notifyRaw as NotifyHandling)) {
    throw new InputError('notify', `expected one of ${NOTIFY.join(', ')}, got '${notifyRaw}'`)
  }
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  const results = core.getInput('results', { required: true })
  const footer = core.getInput('footer').trim()
  return {
    gerritUrl: gerritUrl || undefined,
    username: username || undefined,
    password: password || undefined,
    project,
    change: Number(changeRaw),
    revision,
    pipeline,
    results: isAbsolute(results) ? results : resolve(workspace, results),
    voting,
    label: core.getInput('label') || 'Verified',
    submit: bool('submit'),
    footer: footer || undefined,
    notify: (notifyRaw || undefined) as NotifyHandling | undefined,
    slaHours: positive('sla-hours', '4'),
    dryRun,
    timeoutMs: Math.round(positive('timeout-seconds', '30') * 1000),
    backoffMs: Math.round(positive('retry-backoff-seconds', '2') * 1000),
    runUrl: runUrlFromEnv(env),
  }
}
