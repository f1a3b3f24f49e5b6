import { parse } from 'yaml'

interface ActionYml {
  name?: string
  description?: string
  inputs?: Record<
    string,
    { description?: string; required?: boolean; default?: unknown; deprecationMessage?: string }
  >
  outputs?: Record<string, { description?: string }>
}

export const DOCS_START = '<!-- action-docs:start (generated from action.yml by `pnpm build`) -->'
export const DOCS_END = '<!-- action-docs:end -->'

function cell(text: unknown): string {
  return String(text ?? '')
    .trim()
    .replace(/\r?\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
}

/** The inputs and outputs tables of an action's README, from its action.yml. */
export function renderActionDocs(actionYml: string): string {
  const a = (parse(actionYml) ?? {}) as ActionYml
  const lines = ['## Inputs', '']
  const inputs = Object.entries(a.inputs ?? {})
  if (inputs.length === 0) lines.push('None.')
  else {
    lines.push('| name | required | default | description |', '|---|---|---|---|')
    for (const [name, i] of inputs) {
      const def = i.default === undefined || i.default === '' ? '' : `\`${cell(i.default)}\``
      lines.push(`| \`${name}\` | ${i.required ? 'yes' : 'no'} | ${def} | ${cell(i.description)} |`)
    }
  }
  lines.push('', '## Outputs', '')
  const outputs = Object.entries(a.outputs ?? {})
  if (outputs.length === 0) lines.push('None.')
  else {
    lines.push('| name | description |', '|---|---|')
    for (const [name, o] of outputs) lines.push(`| \`${name}\` | ${cell(o.description)} |`)
  }
  return lines.join('\n')
}

/** Replaces the generated block of a README (or appends one), leaving the hand-written text alone. */
export function updateReadme(readme: string, actionYml: string): string {
  const block = `${DOCS_START}\n${renderActionDocs(actionYml)}\n${DOCS_END}`
  const start = readme.indexOf(DOCS_START)
  const end = readme.indexOf(DOCS_END)
  if (start >= 0 && end > start) return readme.slice(0, start) + block + readme.slice(end + DOCS_END.length)
  return `${readme.trimEnd()}\n\n${block}\n`
}
