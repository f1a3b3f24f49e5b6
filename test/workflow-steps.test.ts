import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
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
