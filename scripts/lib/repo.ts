import { existsSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root, wherever a script or test is run from. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Every action folder (one with an action.yml) under actions/, sorted. */
export function actionNames(root = repoRoot): string[] {
  const dir = join(root, 'actions')
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'action.yml')))
    .map((d) => d.name)
    .sort()
}

/** Reusable workflow sources: workflows/*.yml (examples/ are for consumers, never copied). */
export function workflowSources(root = repoRoot): string[] {
  const dir = join(root, 'workflows')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
}

/** Header put on every copy in .github/workflows/, so nobody edits the copy by mistake. */
export function copyHeader(source: string): string {
  return `# Generated from workflows/${source} by \`pnpm build\`: edit that file, not this copy.\n`
}
