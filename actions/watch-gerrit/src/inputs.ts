import * as core from '@actions/core'
import { InputError, boolInput as bool, listInput, numberInput, parseInput } from '@stackci/action-kit'
import { githubUrlsFromEnv } from '@stackci/model'
import {
  DEFAULT_WATCH_LIMITS,
  branchPolicy,
  fileMatcher,
  parseBranchDates,
  parseDate,
  parsePatternList,
  type WatchLimits,
  type WatchPolicy,
} from '@stackci/pipeline'

export interface Settings {
  gerritUrl: string
  username?: string
  password?: string
  projects: string[]
  policy: WatchPolicy
  workflow: string
  workflowRef: string
  repository: string
  apiUrl: string
  token: string
  /** maxRunPages has no input: watchOnce's default. */
  limits: Omit<WatchLimits, 'maxRunPages'>
  dryRun: boolean
}

export { InputError }

const limit = (name: string, key: keyof WatchLimits, min: number) =>
  numberInput(name, DEFAULT_WATCH_LIMITS[key], { min, integer: true })

export function readInputs(env: NodeJS.ProcessEnv = process.env): Settings {
  const gerritUrl = core.getInput('gerrit-url', { required: true }).trim()
  if (!/^https?:\/\/[^/\s]+/.test(gerritUrl))
    throw new InputError('gerrit-url', `not an http(s) URL: '${gerritUrl}'`)
  const username = core.getInput('username').trim()
  const password = core.getInput('password')
  if (password) core.setSecret(password)
  if (password && !username) throw new InputError('username', 'is needed with password')
  const projects = listInput('projects')
  if (projects.length === 0) throw new InputError('projects', 'no project given')
  for (const p of projects) {
    if (!/^[\w.-]+(\/[\w.-]+)*$/.test(p))
      throw new InputError('projects', `not a Gerrit project name: '${p}'`)
  }
  const pipeline = core.getInput('pipeline').trim() || 'check'
  if (pipeline !== 'check' && pipeline !== 'gate') {
    throw new InputError('pipeline', `expected check or gate, got '${pipeline}'`)
  }
  const sinceText = core.getInput('since').trim()
  const since = sinceText ? parseDate(sinceText) : undefined
  if (sinceText && !since) throw new InputError('since', `expected YYYY-MM-DD, got '${sinceText}'`)
  const accounts = listInput('ci-accounts')
  const ours = accounts.length ? accounts : username ? [username] : []
  if (ours.length === 0) {
    throw new InputError(
      'ci-accounts',
      'needed when username is empty: without it our own reports cannot be recognised',
    )
  }
  const repository = core.getInput('repository').trim() || env.GITHUB_REPOSITORY || ''
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) {
    throw new InputError('repository', `expected owner/name, got '${repository}'`)
  }
  const workflow = core.getInput('workflow', { required: true }).trim()
  if (!/^([\w.-]+\.ya?ml|\d+)$/.test(workflow)) {
    throw new InputError('workflow', `expected a workflow file name (check.yml) or id, got '${workflow}'`)
  }
  const token = core.getInput('github-token')
  if (token) core.setSecret(token)
  const dryRun = bool('dry-run')
  if (!token && !dryRun)
    throw new InputError('github-token', 'is empty (actions:write is needed to dispatch)')
  return {
    gerritUrl: gerritUrl.replace(/\/+$/, ''),
    // A username alone names our account (review.opendev.org answers queries anonymously).
    ...(username && password ? { username, password } : {}),
    projects,
    policy: {
      pipeline,
      gerritUrl: gerritUrl.replace(/\/+$/, ''),
      ours: {
        usernames: ours.filter((a) => !/^\d+$/.test(a)),
        accountIds: ours.filter((a) => /^\d+$/.test(a)).map(Number),
      },
      irrelevantFiles: parseInput('irrelevant-files', (v) => fileMatcher(parsePatternList(v))),
      branches: branchPolicy({
        branches: listInput('branches'),
        ...(since ? { since } : {}),
        created: parseInput('branch-dates', parseBranchDates),
      }),
      skipWorkInProgress: bool('skip-wip'),
    },
    workflow,
    workflowRef: core.getInput('workflow-ref').trim() || env.GITHUB_REF_NAME || 'main',
    repository,
    apiUrl: githubUrlsFromEnv(env).api,
    token,
    limits: {
      maxChanges: limit('max-changes', 'maxChanges', 1),
      maxDispatches: limit('max-dispatches', 'maxDispatches', 0),
      lookbackDays: limit('lookback-days', 'lookbackDays', 1),
    },
    dryRun,
  }
}
