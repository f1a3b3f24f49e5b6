import * as core from '@actions/core'
import { InputError, boolInput as bool, optionalNumberInput, parseInput } from '@stackci/action-kit'
import {
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
  limits: WatchLimits
  dryRun: boolean
}

export { InputError }

function int(name: string, min: number): number {
  const n = optionalNumberInput(name, { min, integer: true })
  if (n === undefined) throw new InputError(name, 'is required')
  return n
}

const wrap = <T>(name: string, f: () => T): T => parseInput(name, () => f())

export function readInputs(env: NodeJS.ProcessEnv = process.env): Settings {
  const gerritUrl = core.getInput('gerrit-url', { required: true }).trim()
  if (!/^https?:\/\/[^/\s]+/.test(gerritUrl))
    throw new InputError('gerrit-url', `not an http(s) URL: '${gerritUrl}'`)
  const username = core.getInput('username').trim()
  const password = core.getInput('password')
  if (password) core.setSecret(password)
  if (password && !username) throw new InputError('username', 'is needed with password')
  const projects = parsePatternList(core.getInput('projects', { required: true }))
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
  const accounts = parsePatternList(core.getInput('ci-accounts'))
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
      irrelevantFiles: wrap('irrelevant-files', () =>
        fileMatcher(parsePatternList(core.getInput('irrelevant-files'))),
      ),
      branches: branchPolicy({
        branches: wrap('branches', () => parsePatternList(core.getInput('branches'))),
        ...(since ? { since } : {}),
        created: wrap('branch-dates', () => parseBranchDates(core.getInput('branch-dates'))),
      }),
      skipWorkInProgress: bool('skip-wip'),
    },
    workflow,
    workflowRef: core.getInput('workflow-ref').trim() || env.GITHUB_REF_NAME || 'main',
    repository,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    token,
    limits: {
      maxChanges: int('max-changes', 1),
      maxDispatches: int('max-dispatches', 0),
      maxRunPages: 10,
      lookbackDays: int('lookback-days', 1),
    },
    dryRun,
  }
}
