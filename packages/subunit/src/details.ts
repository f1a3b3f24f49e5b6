import type { Attachment } from './attachment.js'

function formatTextAttachment(name: string, text: string, multiline: boolean): string {
  if (multiline) return `${name}: {{{\n${text}\n}}}\n`
  return `${name}: {{{${text}}}}`
}

/**
 * A failed test's attachments as one text, laid out like testtools' _details_to_str (what
 * subunit2junitxml puts in <failure>): binary and empty attachments listed first, text ones as
 * `name: {{{…}}}` in name order, the traceback last.
 */
export function detailsText(attachments: readonly Attachment[], special = 'traceback'): string {
  const binary: string[] = []
  const empty: string[] = []
  const texts: string[] = []
  /** Whether the last of `texts` ends with a newline (asked of a long text, endsWith copies it). */
  let lastMultiline = false
  let specialText: string | undefined
  for (const a of [...attachments].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
    if (!a.isText) {
      binary.push(`  ${a.name} (${a.mimeType})\n`)
      continue
    }
    const text = a.text().trim()
    if (!text) {
      empty.push(`  ${a.name}\n`)
      continue
    }
    if (a.name === special) specialText = `${text}\n`
    else {
      lastMultiline = text.includes('\n')
      texts.push(formatTextAttachment(a.name, text, lastMultiline))
    }
  }
  if (texts.length && !lastMultiline) texts.push('')
  if (specialText) texts.push(specialText)
  let out = ''
  if (binary.length) out += 'Binary content:\n' + binary.join('')
  if (empty.length) out += 'Empty attachments:\n' + empty.join('')
  if ((binary.length || empty.length) && texts.length) out += '\n'
  // Concatenated, not joined: the caller's escaping makes the one flat copy this text needs.
  for (let i = 0; i < texts.length; i++) out += i === 0 ? texts[0] : '\n' + texts[i]
  return out
}

/** One short line for a failure: the traceback's last non-blank line, or the first text line. */
export function failureMessage(attachments: readonly Attachment[], status: string): string {
  const pick = (name: string) => attachments.find((a) => a.name === name && a.isText)
  const source =
    pick('traceback') ?? pick('Parser Error') ?? pick('reason') ?? attachments.find((a) => a.isText)
  if (status === 'uxsuccess') return 'unexpected success (the test was expected to fail)'
  if (!source)
    return status === 'inprogress' || status === 'unknown' ? 'test did not finish' : `test ${status}`
  const line = lastNonBlankLine(source.text()) ?? `test ${status}`
  return line.length > 300 ? line.slice(0, 297) + '...' : line
}

/** The last line with anything but whitespace, trimmed; scanned from the end (tracebacks are long). */
function lastNonBlankLine(text: string): string | undefined {
  let end = text.length
  while (end > 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1
    const line = text.slice(start, end).trim()
    if (line) return line
    end = start - 1
  }
  return undefined
}
