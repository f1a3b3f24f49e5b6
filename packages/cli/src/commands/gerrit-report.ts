import { resolve } from 'node:path'
import {
  GerritClient,
  GerritInputError,
  formatVote,
  parseNotifyHandling,
  parseVotingMode,
  postReport,
  type OfflineReportRequest,
  type ReportOutcome,
} from '@stackci/gerrit'
import { readResults, runUrlFromEnv, type JobResult } from '@stackci/model'
import {
  UsageError,
  intOption,
  stringOption,
  type Command,
  type CommandContext,
  type ParsedArgs,
} from '../command.js'

async function loadJobs(path: string): Promise<JobResult[]> {
  try {
    return await readResults(path)
  } catch (e) {
    throw new UsageError(`--results: ${(e as Error).message}`)
  }
}

/** The run URL: given, or this GitHub Actions run attempt when run inside one. */
function runUrl(args: ParsedArgs, env: NodeJS.ProcessEnv): string | undefined {
  const given = stringOption(args, 'run-url')
  if (given) return given
  try {
    return runUrlFromEnv(env)
  } catch {
    // Outside a workflow run: only a dry run may go without one.
    return undefined
  }
}

function describeOutcome(o: ReportOutcome, dryRun: boolean): string {
  const state = dryRun
    ? 'dry run: nothing posted'
    : o.alreadyPosted
      ? "not posted: this run's report is already on the change"
      : o.posted
        ? `posted with tag ${o.tag}${o.recovered ? ' (the reply was lost; found stored)' : ''}`
        : 'nothing posted'
  const lines = [`${state}`, `vote: ${formatVote(o.decision.labels) || 'none'} (${o.decision.reason})`]
  if (o.patchset) lines.push(`patch set: ${o.patchset} (${o.revision})`)
  if (o.timeToReportSeconds !== undefined) lines.push(`time to report: ${o.timeToReportSeconds} s`)
  if (o.submitted) lines.push('submitted: merged')
  return lines.join('\n') + '\n'
}

/**
 * `stackci gerrit report`: the report-to-gerrit action's code from a shell. Prints the message
 * on stdout and what happened on stderr. With --dry-run and no --gerrit-url nothing is contacted.
 */
export const gerritReportCommand: Command = {
  name: ['gerrit', 'report'],
  summary: 'Post (or print with --dry-run) a Zuul-format report from a results file',
  description: `
The message, vote policy and exactly-once rules are the report-to-gerrit action's. The HTTP
password is read from the environment variable named by --password-env, never from the command
line. Without --gerrit-url, --dry-run prints the message and the vote for an open, current patch set.`,
  options: {
    results: {
      type: 'string',
      description: 'JSON results: a job result, a list, or a build set',
      valueName: 'FILE',
    },
    'gerrit-url': { type: 'string', description: 'Gerrit base URL (with its path prefix)', valueName: 'URL' },
    username: { type: 'string', description: 'Gerrit account (HTTP credentials)', valueName: 'NAME' },
    'password-env': {
      type: 'string',
      description: 'environment variable holding the HTTP password',
      valueName: 'VAR',
      default: 'GERRIT_HTTP_PASSWORD',
    },
    project: { type: 'string', description: 'Gerrit project, e.g. openstack/ironic', valueName: 'NAME' },
    change: { type: 'string', description: 'change number', valueName: 'N' },
    revision: { type: 'string', description: 'commit SHA or patch set number tested', valueName: 'REV' },
    pipeline: { type: 'string', description: 'pipeline name (\\w+)', valueName: 'NAME', default: 'check' },
    voting: {
      type: 'string',
      description: 'none, verified or plus-one-only',
      valueName: 'MODE',
      default: 'none',
    },
    label: { type: 'string', description: 'label to vote on', valueName: 'LABEL', default: 'Verified' },
    submit: { type: 'boolean', description: 'submit after a successful gate vote' },
    footer: { type: 'string', description: "closing text: the CI's contact page", valueName: 'TEXT' },
    notify: { type: 'string', description: 'NONE, OWNER, OWNER_REVIEWERS or ALL', valueName: 'WHO' },
    'run-url': {
      type: 'string',
      description: "link to the run, the report's identity (default: this GitHub run attempt)",
      valueName: 'URL',
    },
    'timeout-seconds': {
      type: 'string',
      description: 'time limit of each HTTP attempt',
      valueName: 'S',
      default: '30',
    },
    'dry-run': { type: 'boolean', description: 'print the message and the vote; post nothing' },
  },
  async run(args, ctx: CommandContext) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`)
    const jobs = await loadJobs(resolve(ctx.cwd, stringOption(args, 'results', true)))
    const dryRun = args.values['dry-run'] === true
    try {
      const notify = parseNotifyHandling(stringOption(args, 'notify') ?? '')
      const request: OfflineReportRequest = {
        pipeline: stringOption(args, 'pipeline') ?? 'check',
        jobs,
        runUrl: runUrl(args, ctx.env),
        voting: parseVotingMode(stringOption(args, 'voting') ?? 'none'),
        label: stringOption(args, 'label') ?? 'Verified',
        submit: args.values.submit === true,
        footer: stringOption(args, 'footer'),
        notify,
        dryRun,
      }
      const url = stringOption(args, 'gerrit-url')
      let outcome: ReportOutcome
      if (url) {
        const project = stringOption(args, 'project', true)
        const change = Number(stringOption(args, 'change', true))
        if (!Number.isInteger(change) || change <= 0) throw new UsageError('--change must be a change number')
        const revision = stringOption(args, 'revision', true)
        if (!request.runUrl) throw new UsageError('--run-url is required outside a GitHub Actions run')
        const username = stringOption(args, 'username')
        const passwordEnv = stringOption(args, 'password-env') ?? 'GERRIT_HTTP_PASSWORD'
        const password = username ? ctx.env[passwordEnv] : undefined
        if (username && !password) throw new UsageError(`--username needs the password in $${passwordEnv}`)
        const client = new GerritClient({
          url,
          username,
          password,
          timeoutMs: intOption(args, 'timeout-seconds', 30, 1) * 1000,
          onRetry: ({ method, path, attempt, delayMs, error }) =>
            ctx.stderr(
              `${method} ${path}: attempt ${attempt} failed (${error.message}); retrying in ${delayMs / 1000} s\n`,
            ),
        })
        outcome = await postReport(client, { ...request, project, change, revision, runUrl: request.runUrl })
      } else {
        if (!dryRun) throw new UsageError('--gerrit-url is required unless --dry-run is given')
        outcome = await postReport(undefined, request)
      }
      ctx.stdout(outcome.decision.comment ? outcome.message : '')
      ctx.stderr(describeOutcome(outcome, dryRun))
      if (outcome.submitError) {
        ctx.stderr(
          `stackci gerrit report: the review was posted but submit failed: ${outcome.submitError.message}\n`,
        )
        return 1
      }
      return 0
    } catch (e) {
      if (e instanceof GerritInputError) throw new UsageError(`--${e.message}`)
      throw e
    }
  },
}
