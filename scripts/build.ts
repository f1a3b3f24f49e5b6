/**
 * pnpm build [action ...]: bundles each action with ncc into its committed dist/, regenerates the
 * inputs/outputs tables of its README, and copies workflows/*.yml to .github/workflows/.
 * With names, only those actions are bundled (helpers working on one action at a time).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { updateReadme } from './lib/action-docs.js'
import { actionNames, copyHeader, repoRoot, workflowSources } from './lib/repo.js'

const requested = process.argv.slice(2)
const all = actionNames()
for (const name of requested) {
  if (!all.includes(name)) throw new Error(`unknown action '${name}' (have: ${all.join(', ') || 'none'})`)
}
const ncc = join(repoRoot, 'node_modules/.bin/ncc')

for (const name of requested.length ? requested : all) {
  const dir = join(repoRoot, 'actions', name)
  const dist = join(dir, 'dist')
  rmSync(dist, { recursive: true, force: true })
  const started = Date.now()
  // --transpile-only: ncc's type check covers every file under actions/, so one action's type error
  // broke another's build; `pnpm typecheck` (in lint) checks types once for the whole tree instead.
  execFileSync(
    ncc,
    ['build', join(dir, 'src/index.ts'), '-o', dist, '--license', 'licenses.txt', '--transpile-only', '-q'],
    {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  )
  // ncc writes dist/package.json only in some versions; the runner needs it to load index.js as ESM.
  writeFileSync(join(dist, 'package.json'), '{\n  "type": "module"\n}\n')
  const readmePath = join(dir, 'README.md')
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : `# ${name}\n`
  writeFileSync(readmePath, updateReadme(readme, readFileSync(join(dir, 'action.yml'), 'utf8')))
  console.log(`built actions/${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

if (requested.length === 0) {
  const target = join(repoRoot, '.github/workflows')
  const sources = workflowSources()
  for (const f of sources) {
    writeFileSync(join(target, f), copyHeader(f) + readFileSync(join(repoRoot, 'workflows', f), 'utf8'))
  }
  // A workflow deleted from workflows/ must not live on as a stale copy.
  for (const f of readdirSync(target)) {
    const text = readFileSync(join(target, f), 'utf8')
    if (text.startsWith('# Generated from workflows/') && !sources.includes(f)) rmSync(join(target, f))
  }
  console.log(`copied ${sources.length} workflow(s) to .github/workflows/`)
}
