import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { parseImageMode, parsePatternList, planChange, type ChangePlan } from '@stackci/pipeline'
import { UsageError, stringOption, type Command } from '../command.js'

function git(args: string[], cwd: string): Promise<string> {
  return new Promise((res, rej) =>
    execFile('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? rej(new Error(stderr.trim() || err.message)) : res(stdout),
    ),
  )
}

/** Files the change touches: what Gerrit lists for a patch set, i.e. the diff against the merge base. */
export async function changedFiles(repo: string, base: string, head: string): Promise<string[]> {
  for (const [flag, ref] of [
    ['--base', base],
    ['--head', head],
  ] as const) {
    // A ref starting with '-' would reach git as an option.
    if (ref.startsWith('-')) throw new UsageError(`${flag} '${ref}' is not a git ref`)
    try {
      await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], repo)
    } catch {
      throw new UsageError(`${flag} '${ref}' is not a commit in ${repo}`)
    }
  }
  const out = await git(['diff', '--name-only', '-z', '--no-renames', `${base}...${head}`], repo)
  return out.split('\0').filter(Boolean)
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
    try {
      await git(['rev-parse', '--git-dir'], repo)
    } catch {
      throw new UsageError(`--repo '${repo}' is not a git repository`)
    }
    const files = await changedFiles(repo, base, head)
    const devstackJob =
      args.values['devstack-job'] === undefined ? 'devstack-tempest' : stringOption(args, 'devstack-job')
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
