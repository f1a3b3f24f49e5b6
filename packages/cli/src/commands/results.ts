import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { writeReports } from '@stackci/subunit'
import { UsageError, stringOption, type Command } from '../command.js'

/**
 * `stackci results STREAM`: the run-tempest-subset reports from a subunit v2 stream on disk (or
 * `-` for stdin), with the same package code the action uses.
 */
export const resultsCommand: Command = {
  name: ['results'],
  summary:
    'Turn a subunit v2 stream into JUnit, testr_results.html, a JSON job result and a Markdown summary',
  args: 'STREAM',
  description: `
STREAM is a subunit v2 file (\`stestr last --subunit > results.subunit\`) or - for stdin.
Exit status: 0 when every test passed or was skipped, 1 when a test failed (or no test ran),
2 on a usage error.`,
  options: {
    junit: { type: 'string', description: 'write JUnit XML here', valueName: 'FILE' },
    html: { type: 'string', description: 'write testr_results.html here', valueName: 'FILE' },
    json: {
      type: 'string',
      description: 'write the JobResult JSON (report-to-gerrit input) here',
      valueName: 'FILE',
    },
    summary: { type: 'string', description: 'write the Markdown summary here', valueName: 'FILE' },
    name: { type: 'string', description: 'job name in the reports', valueName: 'NAME', default: 'tempest' },
  },
  async run(args, ctx) {
    if (args.positionals.length !== 1)
      throw new UsageError(`expected one STREAM, got ${args.positionals.length}`)
    const streamArg = args.positionals[0]!
    let source: string | Readable
    if (streamArg === '-') source = process.stdin
    else {
      const path = resolve(ctx.cwd, streamArg)
      if (!existsSync(path) || !statSync(path).isFile())
        throw new UsageError(`STREAM '${streamArg}' is not a file`)
      source = path
    }
    const out = (name: string) => {
      const v = stringOption(args, name)
      return v === undefined ? undefined : resolve(ctx.cwd, v)
    }
    const { job, parsed } = await writeReports(
      source,
      { junit: out('junit'), html: out('html'), json: out('json'), markdown: out('summary') },
      { name: stringOption(args, 'name') ?? 'tempest' },
    )
    const t = job.tests!
    ctx.stdout(
      `${job.result}: ${t.total} tests, ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped` +
        (parsed.parseErrors ? ` (${parsed.parseErrors} corrupt packets reported as subunit.parser)` : '') +
        '\n',
    )
    for (const f of job.failures ?? []) ctx.stdout(`  FAILED ${f.test}: ${f.message}\n`)
    return job.result === 'SUCCESS' ? 0 : 1
  },
}
