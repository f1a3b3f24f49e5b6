/**
 * Parsers for what an action leaves behind: workflow commands on stdout (`::error ...::msg`) and
 * the file commands (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV) in both of the runner's formats.
 */

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  properties: Record<string, string>
}

export interface StdoutCommands {
  annotations: Annotation[]
  /** Values registered with ::add-mask:: (core.setSecret). */
  masks: string[]
  /** Titles of ::group:: blocks, in order. */
  groups: string[]
  debug: string[]
  /** stdout lines that are not workflow commands: what a person reads in the log. */
  log: string[]
}

// toolkit packages/core/src/command.ts escapeData / escapeProperty
function unescapeData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}
function unescapeProperty(s: string): string {
  return s
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%25/g, '%')
}

const COMMAND_RE = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/

export function parseStdout(stdout: string): StdoutCommands {
  const out: StdoutCommands = { annotations: [], masks: [], groups: [], debug: [], log: [] }
  // ::stop-commands::TOKEN makes the runner read everything as log until ::TOKEN:: (what an action
  // does around output of code under test, so that it cannot forge annotations or outputs).
  let stoppedUntil: string | undefined
  for (const line of stdout.split(/\r?\n/)) {
    if (stoppedUntil !== undefined) {
      if (line === stoppedUntil) stoppedUntil = undefined
      else if (line !== '') out.log.push(line)
      continue
    }
    const m = COMMAND_RE.exec(line)
    if (m?.[1] === 'stop-commands') {
      stoppedUntil = `::${m[3]}::`
      continue
    }
    if (!m) {
      if (line !== '') out.log.push(line)
      continue
    }
    const [, name, props = '', data = ''] = m
    const properties: Record<string, string> = {}
    for (const kv of props.split(',').filter(Boolean)) {
      const i = kv.indexOf('=')
      if (i > 0) properties[kv.slice(0, i)] = unescapeProperty(kv.slice(i + 1))
    }
    const message = unescapeData(data)
    if (name === 'error' || name === 'warning' || name === 'notice') {
      out.annotations.push({ level: name, message, properties })
    } else if (name === 'add-mask') out.masks.push(message)
    else if (name === 'group') out.groups.push(message)
    else if (name === 'debug') out.debug.push(message)
  }
  return out
}

/**
 * Reads a file command file. The toolkit writes `name<<ghadelimiter_<uuid>\nvalue\nghadelimiter_<uuid>\n`;
 * scripts often write `name=value`. Later values win, as on the runner.
 */
export function parseFileCommand(text: string): Record<string, string> {
  const result: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line === '') continue
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value: string[] = []
      let closed = false
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true
          break
        }
        value.push(lines[i]!)
      }
      if (!closed) throw new Error(`file command: '${name}' has no closing delimiter '${delimiter}'`)
      result[name!] = value.join('\n')
      continue
    }
    const eq = line.indexOf('=')
    if (eq <= 0) throw new Error(`file command: malformed line '${line}'`)
    result[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return result
}

/** Path entries added with core.addPath (one per line). */
export function parsePathFile(text: string): string[] {
  return text.split('\n').filter(Boolean)
}
