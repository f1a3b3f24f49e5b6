import { resolve } from 'node:path'
import * as core from '@actions/core'
import { InputError, boolInput as bool, numberInput, parseInput, requiredInput } from '@stackci/action-kit'
import {
  checkPipelineName,
  parseNotifyHandling,
  parseVotingMode,
  type NotifyHandling,
  type VotingMode,
} from '@stackci/gerrit'
import { runUrlFromEnv } from '@stackci/model'

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
  parseInput('pipeline', () => checkPipelineName(pipeline))
  const voting: VotingMode = parseInput('voting', (v) => parseVotingMode(v || 'none'))
  const notify = parseInput('notify', parseNotifyHandling)
  // resolve() keeps an absolute path as it is.
  const results = resolve(env.GITHUB_WORKSPACE || process.cwd(), requiredInput('results'))
  const footer = core.getInput('footer').trim()
  return {
    gerritUrl: gerritUrl || undefined,
    username: username || undefined,
    password: password || undefined,
    project,
    change: Number(changeRaw),
    revision,
    pipeline,
    results,
    voting,
    label: core.getInput('label') || 'Verified',
    submit: bool('submit'),
    footer: footer || undefined,
    notify,
    slaHours: numberInput('sla-hours', 4, { positive: true }),
    dryRun,
    timeoutMs: Math.round(numberInput('timeout-seconds', 30, { positive: true }) * 1000),
    backoffMs: Math.round(numberInput('retry-backoff-seconds', 2, { positive: true }) * 1000),
    // Its own message says what is missing; it is no input's fault.
    runUrl: runUrlFromEnv(env),
  }
}
