import { runDemo } from '../demo/run-demo.js'
import { stringOption, type Command } from '../command.js'

export const demo: Command = {
  name: ['demo'],
  summary: 'Run the check pipeline end to end on this machine (Gerrit on loopback → report)',
  description: `Starts the Gerrit test server on 127.0.0.1 with a sample project, uploads a change, lets
watch-gerrit find it, checks it out merged onto its branch, plans, resolves the appliance image from
a local publish location, renders the devstack configuration (stack.sh is not run: that needs a KVM
runner with internet access), runs a tempest-style subset with stestr, writes JUnit,
testr_results.html and the summary, and posts the Zuul-format report to the Gerrit server.
Exits non-zero when a step fails.`,
  options: {
    'artifacts-dir': {
      type: 'string',
      description: 'where to leave the artifacts (default: a new temp dir)',
      valueName: 'DIR',
    },
    keep: {
      type: 'boolean',
      description: 'keep the Gerrit repositories, checkouts and publish location too',
    },
    'break-test': {
      type: 'boolean',
      description: 'upload a change that breaks a test, to see a failure reported',
    },
  },
  async run(args, ctx) {
    ctx.stdout('stackci demo: the check pipeline on this machine\n\n')
    const result = await runDemo({
      write: ctx.stdout,
      artifactsDir: stringOption(args, 'artifacts-dir'),
      keep: args.values.keep === true,
      breakTest: args.values['break-test'] === true,
      signal: ctx.signal,
    })
    if (result.error) {
      ctx.stderr(`\nstackci demo: ${result.error.message}\n`)
      return 1
    }
    ctx.stdout(
      result.ok ? '\nDemo finished: every step ran.\n' : '\nDemo finished, but the job did not succeed.\n',
    )
    return result.ok ? 0 : 1
  },
}
