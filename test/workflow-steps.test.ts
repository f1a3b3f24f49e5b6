import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { dispatchInputs } from '../packages/pipeline/src/index.js'
import { repoRoot } from '../scripts/lib/repo.js'

/**
 * GitHub's parser does not open the actions a step uses, so a `with:` key an action does not
 * declare (or a required input left out) would only show up as a warning in a real run. Our
 * reusable workflows call our own actions with `uses: $/actions/<name>`: check those calls
 * against each action.yml here.
 */
interface Step {
  uses?: string
  with?: Record<string, unknown>
}
interface ActionYml {
  inputs?: Record<string, { required?: boolean; default?: unknown }>
}

const files = readdirSync(join(repoRoot, 'workflows')).filter((f) => /\.ya?ml$/.test(f))

function ourSteps(file: string): { job: string; step: Step; action: string }[] {
  const wf = parse(readFileSync(join(repoRoot, 'workflows', file), 'utf8')) as {
    jobs?: Record<string, { steps?: Step[] }>
  }
  return Object.entries(wf.jobs ?? {}).flatMap(([job, j]) =>
    (j.steps ?? [])
      .filter((s) => s.uses?.startsWith('$/actions/'))
      .map((step) => ({ job, step, action: step.uses!.slice('$/actions/'.length) })),
  )
}

describe('steps that use our actions pass what the actions declare', () => {
  it.each(files)('%s', (file) => {
    const problems: string[] = []
    for (const { job, step, action } of ourSteps(file)) {
      const yml = join(repoRoot, 'actions', action, 'action.yml')
      if (!existsSync(yml)) {
        problems.push(`${job}: actions/${action} does not exist`)
        continue
      }
      const declared = (parse(readFileSync(yml, 'utf8')) as ActionYml).inputs ?? {}
      for (const key of Object.keys(step.with ?? {})) {
        if (!(key in declared)) problems.push(`${job}: actions/${action} has no input '${key}'`)
      }
      for (const [name, spec] of Object.entries(declared)) {
        if (spec.required && spec.default === undefined && !(name in (step.with ?? {}))) {
          problems.push(`${job}: actions/${action} needs input '${name}'`)
        }
      }
    }
    expect(problems).toEqual([])
  })
})

describe('watch-gerrit dispatches inputs the workflows declare', () => {
  const sample = dispatchInputs({
    kind: 'gerrit',
    gerritUrl: 'https://review.opendev.org',
    project: 'openstack/ironic',
    branch: 'master',
    change: 4711,
    patchset: 2,
    revision: 'a'.repeat(40),
    ref: 'refs/changes/11/4711/2',
  })
  it.each(['check.yml', 'gate.yml', 'devstack-tempest.yml', 'examples/ironic-check.yml'])('%s', (file) => {
    const wf = parse(readFileSync(join(repoRoot, 'workflows', file), 'utf8')) as {
      'run-name'?: string
      on: { workflow_dispatch?: { inputs?: Record<string, unknown> } }
    }
    const declared = Object.keys(wf.on.workflow_dispatch?.inputs ?? {})
    expect(Object.keys(sample).filter((k) => !declared.includes(k))).toEqual([])
    // The run-name must be what parseRunName reads back, or every poll dispatches again.
    expect(wf['run-name']).toMatch(
      /format\('(check|gate|devstack-tempest) \{0\} \{1\},\{2\}', inputs\.gerrit-project, inputs\.gerrit-change, inputs\.gerrit-patchset\)/,
    )
  })
})
