import { resolve } from 'node:path'
import { nodeExec } from '@stackci/exec'
import {
  changedFiles,
  parseImageMode,
  parsePatternList,
  planChange,
  type ChangePlan,
  type Git,
} from '@stackci/pipeline'
import { UsageError, stringOption, type Command } from '../command.js'

// The user's own repository, read with the user's git configuration.
const git: Git = (args, cwd) => nodeExec('git', args, { cwd })

/** Checks that --base and --head name commits, so a typo is a usage error rather than a git failure. */
async function checkRefs(repo: string, base: string, head: string): Promise<void> {
  for (const [flag, ref] of [
    ['--base', base],
    ['--head', head],
  ] as const) {
    // A ref starting with '-' would reach git as an option.
    if (ref.startsWith('-')) throw new UsageError(`${flag} '${ref}' is not a git ref`)
    const r = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], repo)
    if (r.code !== 0) throw new UsageError(`${flag} '${ref}' is not a commit in ${repo}`)
  }
}

export function formatPlan(plan: ChangePlan, base: string, head: string): string {
  const lines = [`${plan.changedFiles.length} file(s) changed between ${base} and ${head}`, '']
  for (const j of plan.jobs) lines.push(`${j.run ? 'run ' : 'skip'}  ${j.name}: ${j.reason}`)
  if (plan.image) lines.push('', `image: ${plan.image.action}: ${plan.image.reason}`)
  return lines.join('\n') + '\n'
}

/**
 * `stackci plan`: what the check pipeline would run for a change and why, from a real git diff
 * of a repository against a base ref, with the package code the workflows' actions use.
 */
export const planCommand: Command = {
  name: ['plan'],
  summary: 'Show which jobs a change would run, and why, from a git diff',
  description: `
Diffs HEAD (or --head) against the merge base with --base, as Gerrit lists a patch set's files,
then applies the same rules as the check workflow: tox jobs always run, the devstack job is
skipped when every changed file matches --irrelevant-files, and the appliance image is built from
the change when it touches --appliance-paths (else the latest published image is used).
Exit status: 0, or 1 when git fails, 2 on a usage error.`,
  options: {
    repo: { type: 'string', description: 'git repository', valueName: 'DIR', default: '.' },
    base: { type: 'string', description: 'target branch or commit (required)', valueName: 'REF' },
    head: { type: 'string', description: 'the change', valueName: 'REF', default: 'HEAD' },
    'tox-envs': {
      type: 'string',
      description: 'tox environments, comma-separated',
      valueName: 'LIST',
      default: 'pep8,py3',
    },
    'devstack-job': {
      type: 'string',
      description: "devstack job name ('' for none)",
      valueName: 'NAME',
      default: 'devstack-tempest',
    },
    'irrelevant-files': { type: 'string', description: 'globs, comma-separated', valueName: 'LIST' },
    'appliance-paths': { type: 'string', description: 'globs, comma-separated', valueName: 'LIST' },
    'image-mode': {
      type: 'string',
      description: 'auto, build or prebuilt',
      valueName: 'MODE',
      default: 'auto',
    },
    'no-image': { type: 'boolean', description: 'the devstack job uses no appliance image' },
    json: { type: 'boolean', description: 'print the plan as JSON' },
  },
  async run(args, ctx) {
    if (args.positionals.length) throw new UsageError(`unexpected argument '${args.positionals[0]}'`)
    const repo = resolve(ctx.cwd, stringOption(args, 'repo') ?? '.')
    const base = stringOption(args, 'base', true)
    const head = stringOption(args, 'head') ?? 'HEAD'
    let imageMode
    try {
      imageMode = parseImageMode(stringOption(args, 'image-mode') ?? 'auto')
    } catch (e) {
      throw new UsageError(`--image-mode: ${(e as Error).message}`)
    }
    const isRepo = await git(['rev-parse', '--git-dir'], repo).then(
      (r) => r.code === 0,
      () => false,
    )
    if (!isRepo) throw new UsageError(`--repo '${repo}' is not a git repository`)
    await checkRefs(repo, base, head)
    const files = await changedFiles(git, repo, base, head)
    // parseArgs fills in 'devstack-tempest'; an explicit '' comes back undefined: no devstack job.
    const devstackJob = stringOption(args, 'devstack-job')
    const plan = planChange(files, {
      toxEnvs: parsePatternList(stringOption(args, 'tox-envs') ?? 'pep8,py3'),
      ...(devstackJob ? { devstackJob } : {}),
      irrelevantFiles: parsePatternList(stringOption(args, 'irrelevant-files') ?? ''),
      appliancePaths: parsePatternList(stringOption(args, 'appliance-paths') ?? ''),
      imageMode,
      usesImage: args.values['no-image'] !== true,
    })
    ctx.stdout(
      args.values.json
        ? JSON.stringify({ base, head, ...plan }, null, 2) + '\n'
        : formatPlan(plan, base, head),
    )
    return 0
  },
}
