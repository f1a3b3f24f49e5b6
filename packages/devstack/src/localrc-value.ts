import { ContractError } from '@stackci/model'

/**
 * How a localrc value from a job description becomes a line bash reads back exactly.
 *
 * devstack sources localrc as shell, and job descriptions follow the upstream role in writing
 * `$NAME` / `${NAME}` to mean another variable (`LOGFILE: $DEST/logs/devstacklog.txt`). Those two
 * forms, and only those, stay live inside the double quotes; `\$` is a literal dollar; every other
 * character that is special inside double quotes (`"`, `\`, backquote, `$(`, `$1`, `$$`) is
 * escaped, so a password like `pa"ss\word$(x)` arrives in devstack as written.
 */

const NAME = '[A-Za-z_][A-Za-z0-9_]*'
const TOKEN_RE = new RegExp(`\\\\\\$|\\$\\{(${NAME})\\}|\\$(${NAME})|\\$\\{[^}]*\\}?|[\\s\\S]`, 'g')

export interface LocalrcValue {
  /** The value as the job wrote it, after scalar conversion. */
  raw: string
  /** The double-quoted bash word. */
  quoted: string
  /** Variables referenced with $NAME or ${NAME}, in order of first use. */
  refs: string[]
}

/** YAML scalars as Python's str() renders them in the upstream role: true -> True. */
export function scalarText(value: unknown, path: string): string {
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (value === null || value === undefined) {
    throw new ContractError(path, "has no value; write '' for an empty string")
  }
  throw new ContractError(
    path,
    `expected a string, number or true/false, got ${Array.isArray(value) ? 'a list' : 'an object'}`,
  )
}

export function parseLocalrcValue(raw: string, path: string): LocalrcValue {
  if (/[\r\n\0]/.test(raw)) {
    throw new ContractError(path, 'contains a line break or NUL; localrc values must be one line')
  }
  let quoted = ''
  const refs: string[] = []
  for (const m of raw.matchAll(TOKEN_RE)) {
    const [tok, braced, bare] = m
    const ref = braced ?? bare
    if (ref !== undefined) {
      if (!refs.includes(ref)) refs.push(ref)
      quoted += tok
    } else if (tok === '\\$') quoted += '\\$'
    else if (tok.startsWith('${')) {
      throw new ContractError(
        path,
        `'${tok}': only $NAME and \${NAME} references are supported; write \\$ for a literal dollar`,
      )
    } else if (tok === '"' || tok === '\\' || tok === '`' || tok === '$') quoted += '\\' + tok
    else quoted += tok
  }
  return { raw, quoted: `"${quoted}"`, refs }
}

/**
 * What bash makes of a value: references replaced through `lookup` (unset is empty, as in bash),
 * `\$` a literal dollar. Used where stackci itself needs a variable's final value (LOGFILE) and by
 * the tests that compare against real bash.
 */
export function expandLocalrcValue(raw: string, lookup: (name: string) => string | undefined): string {
  let out = ''
  for (const m of raw.matchAll(TOKEN_RE)) {
    const [tok, braced, bare] = m
    const ref = braced ?? bare
    if (ref !== undefined) out += lookup(ref) ?? ''
    else if (tok === '\\$') out += '$'
    else out += tok
  }
  return out
}

export const VARIABLE_NAME_RE = new RegExp(`^${NAME}$`)
