import { GerritClient } from '@stackci/gerrit'
import {
  DEFAULT_WATCH_LIMITS,
  gerritSource,
  branchPolicy,
  fileMatcher,
  gitHubWorkflowApi,
  outcomeOf,
  parseBranchDates,
  parseDate,
  parsePatternList,
  watchOnce,
  type WatchReport,
  type WorkflowApi,
} from '@stackci/pipeline'
import { UsageError, intOption, stringOption, type Command } from '../command.js'

/** Without a GitHub repository nothing is known to be running: every change is decided on Gerrit alone. */
const noRuns: WorkflowApi = {
  listRunsPage: async () => ({ total_count: 0, workflow_runs: [] }),
  dispatch: async () => {
    throw new Error('gerrit pending never dispatches')
  },
  cancel: async () => {
    throw new Error('gerrit pending never cancels')
  },
}

function list(args: Parameters<Command['run']>[0], name: string): string[] {
  const v = args.values[name]
  const items = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []
  return items.flatMap((s) => parsePatternList(s))
}

export function formatPending(report: WatchReport): string {
  const lines = [`query: ${report.query}`, '']
  // As watch-gerrit lists them: changes past the dispatch limit are deferred, agreeing with the totals.
  const outcome = outcomeOf(report)
  const width = Math.max(8, ...report.decisions.map((d) => `${d.change},${d.patchset ?? '?'}`.length))
  for (const d of report.decisions) {
    const id = `${d.change},${d.patchset ?? '?'}`.padEnd(width)
    lines.push(`${outcome(d).action.padEnd(8)}  ${id}  ${d.project} ${d.branch}: ${d.reason}`)
  }
  for (const c of report.cancelled) {
    lines.push(
      `cancel    run ${c.run.run.id} (${c.run.change},${c.run.patchset}): superseded by patch set ${c.supersededBy}`,
    )
  }
  const n = report.dispatched.length
  lines.push(
    '',
    `${report.decisions.length} change(s), ${n} would be dispatched, ${report.cancelled.length} run(s) cancelled`,
  )
  if (report.truncated.changes) lines.push('(stopped at --max-changes)')
  return lines.join('\n') + '\n'
}

/**
 * `stackci gerrit pending`: what watch-gerrit would dispatch now, against any Gerrit, with the
 * same decision code and nothing written anywhere. With --github-repo and --workflow, the
 * workflow's runs are read too, so "already running" is decided as the action decides it.
 */
export const gerritPendingCommand: Command = {
  name: ['gerrit', 'pending'],
  summary: 'List the changes watch-gerrit would dispatch now, with reasons',
  description: `
Queries open changes of the projects (read-only, anonymous unless --username is given with the
password in STACKCI_GERRIT_PASSWORD) and decides each one as watch-gerrit does: new patch set,
recheck newer than our report, approval (gate), irrelevant files, branch policy.
With --github-repo and --workflow (token in GITHUB_TOKEN), runs already started are taken into
account. Exit status: 0, 1 when Gerrit or GitHub cannot be read, 2 on a usage error.`,
  options: {
    'gerrit-url': { type: 'string', description: 'Gerrit base URL (required)', valueName: 'URL' },
    project: {
      type: 'string',
      multiple: true,
      description: 'Gerrit project (repeat or comma-separate; required)',
      valueName: 'NAME',
    },
    'ci-account': {
      type: 'string',
      multiple: true,
      description: 'username or account id whose messages are our reports (required)',
      valueName: 'NAME',
    },
    pipeline: { type: 'string', description: 'check or gate', valueName: 'NAME', default: 'check' },
    branches: {
      type: 'string',
      description: 'branch globs, comma-separated',
      valueName: 'LIST',
      default: 'master,stable/*',
    },
    since: { type: 'string', description: 'when the CI began (YYYY-MM-DD)', valueName: 'DATE' },
    'branch-dates': {
      type: 'string',
      description: '<branch>=<YYYY-MM-DD>, comma-separated',
      valueName: 'LIST',
    },
    'irrelevant-files': { type: 'string', description: 'globs, comma-separated', valueName: 'LIST' },
    'include-wip': { type: 'boolean', description: 'decide work-in-progress changes too' },
    username: { type: 'string', description: 'Gerrit account to query as', valueName: 'NAME' },
    'max-changes': {
      type: 'string',
      description: 'read at most this many changes',
      valueName: 'N',
      default: String(DEFAULT_WATCH_LIMITS.maxChanges),
    },
    'lookback-days': {
      type: 'string',
      description: 'changes updated in this many days',
      valueName: 'N',
      default: String(DEFAULT_WATCH_LIMITS.lookbackDays),
    },
    'github-repo': {
      type: 'string',
      description: 'owner/name holding the dispatched workflow',
      valueName: 'REPO',
    },
    workflow: { type: 'string', description: 'workflow file whose runs count as running', valueName: 'FILE' },
    'github-api-url': {
      type: 'string',
      description: 'GitHub API URL',
      valueName: 'URL',
      default: 'https://api.github.com',
    },
    json: { type: 'boolean', description: 'print the decisions as JSON' },
  },
  async run(args, ctx) {
    if (args.positionals.length) throw new UsageError(`unexpected argument '${args.positionals[0]}'`)
    const gerritUrl = stringOption(args, 'gerrit-url', true)
    const projects = list(args, 'project')
    if (projects.length === 0) throw new UsageError('--project is required')
    const accounts = list(args, 'ci-account')
    if (accounts.length === 0)
      throw new UsageError('--ci-account is required: without it our own reports are not recognised')
    const pipeline = stringOption(args, 'pipeline') ?? 'check'
    if (pipeline !== 'check' && pipeline !== 'gate')
      throw new UsageError(`--pipeline must be check or gate, got '${pipeline}'`)
    const sinceText = stringOption(args, 'since')
    const since = sinceText ? parseDate(sinceText) : undefined
    if (sinceText && !since) throw new UsageError(`--since must be YYYY-MM-DD, got '${sinceText}'`)
    let created
    try {
      created = parseBranchDates(stringOption(args, 'branch-dates') ?? '')
    } catch (e) {
      throw new UsageError(`--branch-dates: ${(e as Error).message}`)
    }
    const username = stringOption(args, 'username')
    const password = ctx.env.STACKCI_GERRIT_PASSWORD
    if (username && !password)
      throw new UsageError('--username needs the password in STACKCI_GERRIT_PASSWORD')
    let client: GerritClient
    try {
      client = new GerritClient({ url: gerritUrl, ...(username ? { username, password } : {}) })
    } catch (e) {
      throw new UsageError(`--gerrit-url: ${(e as Error).message}`)
    }
    const repo = stringOption(args, 'github-repo')
    const workflowFile = stringOption(args, 'workflow')
    if (Boolean(repo) !== Boolean(workflowFile))
      throw new UsageError('--github-repo and --workflow go together')
    let workflow = noRuns
    if (repo && workflowFile) {
      const token = ctx.env.GITHUB_TOKEN ?? ''
      if (!token) throw new UsageError('--github-repo needs a token in GITHUB_TOKEN')
      try {
        workflow = gitHubWorkflowApi({
          apiUrl: stringOption(args, 'github-api-url') ?? 'https://api.github.com',
          token,
          repository: repo,
          workflow: workflowFile,
          ref: 'main',
        })
      } catch (e) {
        throw new UsageError(`--github-repo: ${(e as Error).message}`)
      }
    }
    const source = gerritSource(client)
    const report = await watchOnce({
      source,
      workflow,
      dryRun: true,
      projects,
      limits: {
        maxChanges: intOption(args, 'max-changes', DEFAULT_WATCH_LIMITS.maxChanges, 1),
        lookbackDays: intOption(args, 'lookback-days', DEFAULT_WATCH_LIMITS.lookbackDays, 1),
      },
      policy: {
        pipeline,
        gerritUrl: client.baseUrl,
        ours: {
          usernames: accounts.filter((a) => !/^\d+$/.test(a)),
          accountIds: accounts.filter((a) => /^\d+$/.test(a)).map(Number),
        },
        irrelevantFiles: fileMatcher(parsePatternList(stringOption(args, 'irrelevant-files') ?? '')),
        branches: branchPolicy({
          branches: parsePatternList(stringOption(args, 'branches') ?? 'master,stable/*'),
          ...(since ? { since } : {}),
          created,
        }),
        skipWorkInProgress: args.values['include-wip'] !== true,
      },
    })
    if (args.values.json) {
      const outcome = outcomeOf(report)
      ctx.stdout(
        JSON.stringify(
          report.decisions.map((d) => {
            const { cancel: _cancel, ...rest } = d
            return { ...rest, action: outcome(d).action }
          }),
          null,
          2,
        ) + '\n',
      )
    } else ctx.stdout(formatPending(report))
    return 0
  },
}
