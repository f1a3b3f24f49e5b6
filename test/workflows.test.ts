import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { renderActionDocs, DOCS_START, DOCS_END } from '../scripts/lib/action-docs.js'
import { actionNames, copyHeader, repoRoot, workflowSources } from '../scripts/lib/repo.js'
import { actionErrors, workflowErrors } from './workflow-lint/parse.js'
import { checkSecurity, type RuleId } from './workflow-lint/security-rules.js'

const fixtures = join(import.meta.dirname, 'fixtures/workflows')
const yamlIn = (dir: string) =>
  existsSync(join(repoRoot, dir))
    ? readdirSync(join(repoRoot, dir))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => `${dir}/${f}`)
    : []
const workflowFiles = [
  ...yamlIn('workflows'),
  ...yamlIn('workflows/examples'),
  ...yamlIn('.github/workflows'),
]

describe('workflows of this repository', () => {
  it('exist', () => {
    expect(workflowFiles).toContain('.github/workflows/ci.yml')
  })
  it.each(workflowFiles)('%s parses with GitHub’s parser, reusable calls included', async (file) => {
    expect(await workflowErrors(repoRoot, file)).toEqual([])
  })
  it.each(workflowFiles)('%s follows the security rules', (file) => {
    expect(checkSecurity(readFileSync(join(repoRoot, file), 'utf8'))).toEqual([])
  })
  it('copies in .github/workflows/ match their sources in workflows/', () => {
    for (const f of workflowSources()) {
      const copy = join(repoRoot, '.github/workflows', f)
      expect(existsSync(copy), `${f} has no copy: run pnpm build`).toBe(true)
      expect(readFileSync(copy, 'utf8'), `.github/workflows/${f} is stale: run pnpm build`).toBe(
        copyHeader(f) + readFileSync(join(repoRoot, 'workflows', f), 'utf8'),
      )
    }
    for (const f of readdirSync(join(repoRoot, '.github/workflows'))) {
      const text = readFileSync(join(repoRoot, '.github/workflows', f), 'utf8')
      if (text.startsWith('# Generated from workflows/'))
        expect(workflowSources(), `${f} has no source`).toContain(f)
    }
  })
})

describe('actions of this repository', () => {
  const names = actionNames()
  it('are found', () => expect(names.length).toBeGreaterThan(0))
  it.runIf(names.length > 0).each(names)(
    '%s: action.yml parses, runs on node24 from dist/, documents everything',
    (name) => {
      const path = join(repoRoot, 'actions', name, 'action.yml')
      expect(actionErrors(path)).toEqual([])
      const a = parse(readFileSync(path, 'utf8')) as {
        description?: string
        runs: { using: string; main: string }
        inputs?: Record<string, { description?: string }>
        outputs?: Record<string, { description?: string }>
      }
      expect(a.runs.using).toBe('node24')
      expect(a.runs.main).toBe('dist/index.js')
      expect(existsSync(join(repoRoot, 'actions', name, 'dist/index.js'))).toBe(true)
      expect(readFileSync(join(repoRoot, 'actions', name, 'dist/package.json'), 'utf8')).toMatch(
        /"type": "module"/,
      )
      expect(a.description).toBeTruthy()
      for (const [k, v] of [...Object.entries(a.inputs ?? {}), ...Object.entries(a.outputs ?? {})]) {
        expect(v?.description, `${name}: '${k}' has no description`).toBeTruthy()
      }
      expect(checkSecurity(readFileSync(path, 'utf8'), 'action')).toEqual([])
    },
  )
  it.runIf(names.length > 0).each(names)('%s: README tables match action.yml', (name) => {
    const readme = readFileSync(join(repoRoot, 'actions', name, 'README.md'), 'utf8')
    const start = readme.indexOf(DOCS_START)
    const end = readme.indexOf(DOCS_END)
    expect(start, 'README has no generated block: run pnpm build').toBeGreaterThanOrEqual(0)
    expect(
      readme.slice(start + DOCS_START.length, end).trim(),
      'README tables are stale: run pnpm build',
    ).toBe(renderActionDocs(readFileSync(join(repoRoot, 'actions', name, 'action.yml'), 'utf8')))
  })
})

describe('the checks catch each planted fault', () => {
  const cases: [string, RuleId][] = [
    ['bad-expression-in-run.yml', 'expression-in-run'],
    ['bad-permissions-missing.yml', 'permissions-missing'],
    ['bad-unpinned-uses.yml', 'unpinned-uses'],
    ['bad-pin-comment.yml', 'pin-comment'],
    ['bad-persist-credentials.yml', 'persist-credentials'],
    ['bad-dangerous-trigger.yml', 'dangerous-trigger'],
    ['repo/.github/workflows/caller-secrets-inherit.yml', 'secrets-inherit'],
  ]
  it('the good fixtures pass both the parser and the rules', async () => {
    expect(checkSecurity(readFileSync(join(fixtures, 'good.yml'), 'utf8'))).toEqual([])
    expect(await workflowErrors(fixtures, 'good.yml')).toEqual([])
    expect(await workflowErrors(join(fixtures, 'repo'), '.github/workflows/caller-good.yml')).toEqual([])
  })
  it.each(cases)('%s → %s, with its line', (file, rule) => {
    const findings = checkSecurity(readFileSync(join(fixtures, file), 'utf8'))
    expect(findings.map((f) => f.rule)).toEqual([rule])
    expect(findings[0]!.line).toBeGreaterThan(0)
  })
  it('a schema error', async () => {
    expect((await workflowErrors(fixtures, 'bad-schema.yml')).join('\n')).toMatch(
      /timeout-minutes|Unexpected/,
    )
  })
  it('a caller passing an input the reusable workflow does not declare', async () => {
    const errors = await workflowErrors(join(fixtures, 'repo'), '.github/workflows/caller-bad-input.yml')
    expect(errors.join('\n')).toMatch(/Invalid input, targt is not defined/)
  })
  it('a caller not passing a required secret', async () => {
    const errors = await workflowErrors(join(fixtures, 'repo'), '.github/workflows/caller-missing-secret.yml')
    expect(errors.join('\n')).toMatch(/Secret token is required/)
  })
  it('an action on a runtime the runner does not have', () => {
    expect(actionErrors(join(fixtures, 'bad-action/action.yml')).join('\n')).toMatch(/node99/)
  })
})
