import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import {
  DEFAULT_DEST,
  buildLocalConf,
  devstackRefFor,
  missingProjects,
  parseJobYaml,
  renderLocalConf,
  scanPluginSettings,
  shouldErrorOnClone,
} from '@stackci/devstack'
import { UsageError, stringOption, type Command } from '../command.js'

/**
 * `stackci local-conf JOB.yaml`: the local.conf setup-devstack would write, from the same package
 * code. When --dest exists (a devstack host with checkouts in place), its plugins' devstack/settings
 * order the enable_plugin lines and ERROR_ON_CLONE is decided as the action decides it.
 */
export const localConfCommand: Command = {
  name: ['local-conf'],
  summary: 'Render devstack’s local.conf from a devstack job description',
  args: 'JOB.yaml',
  description: `
JOB.yaml is a devstack job description (see actions/setup-devstack/README.md and
workflows/examples/devstack/). The output holds the job's passwords as written.
Exit status: 0 when rendered, 1 when the job description is invalid (the message names the key),
2 on a usage error.`,
  options: {
    branch: {
      type: 'string',
      description: 'target branch of the change; tells which devstack to use',
      valueName: 'BRANCH',
      default: 'master',
    },
    dest: { type: 'string', description: "devstack's $DEST", valueName: 'DIR', default: DEFAULT_DEST },
    output: {
      type: 'string',
      short: 'o',
      description: 'write local.conf here instead of stdout',
      valueName: 'FILE',
    },
  },
  async run(args, ctx) {
    if (args.positionals.length !== 1)
      throw new UsageError(`expected one JOB.yaml, got ${args.positionals.length}`)
    const jobArg = args.positionals[0]!
    const jobPath = resolve(ctx.cwd, jobArg)
    if (!existsSync(jobPath) || !statSync(jobPath).isFile())
      throw new UsageError(`JOB.yaml '${jobArg}' is not a file`)
    const destArg = stringOption(args, 'dest') ?? DEFAULT_DEST
    if (!isAbsolute(destArg)) throw new UsageError(`--dest must be an absolute path, got '${destArg}'`)
    const dest = destArg.replace(/(.)\/+$/, '$1')
    const branch = stringOption(args, 'branch') ?? 'master'
    let refs: string[]
    try {
      refs = devstackRefFor(branch).candidates
    } catch (e) {
      throw new UsageError(`--branch: ${(e as Error).message}`)
    }

    const job = parseJobYaml(readFileSync(jobPath, 'utf8'), jobArg)
    const onHost = existsSync(dest)
    const missing = onHost ? missingProjects(job, dest) : []
    const errorOnClone = onHost && shouldErrorOnClone(job, missing)
    const conf = buildLocalConf(job, {
      dest,
      pluginSettings: onHost ? scanPluginSettings(dest) : new Map(),
      errorOnClone,
    })
    const text = renderLocalConf(conf)
    const output = stringOption(args, 'output')
    if (output) {
      const path = resolve(ctx.cwd, output)
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, text, { mode: 0o600 })
    } else ctx.stdout(text)

    const notes = [`devstack: ${refs.join(', then ')}`]
    if (!onHost) notes.push(`${dest} does not exist: plugins in alphabetical order, ERROR_ON_CLONE not set`)
    else if (!errorOnClone) {
      notes.push(
        job.requiredProjects.length
          ? `ERROR_ON_CLONE not set: ${missing.join(', ')} missing from ${dest}`
          : 'ERROR_ON_CLONE not set: the job lists no required_projects',
      )
    }
    for (const w of conf.warnings) notes.push(`warning: ${w}`)
    if (output) notes.push(`wrote ${output}`)
    ctx.stderr(notes.map((n) => `${n}\n`).join(''))
    return 0
  },
}
