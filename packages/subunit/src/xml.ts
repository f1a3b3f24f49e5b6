// junitxml's set of stripped characters (control characters but tab and newline, U+FFFE/FFFF),
// surrogates only when unpaired because JavaScript strings hold astral characters as pairs.
/* eslint-disable no-control-regex -- matching control characters is the point */
const INVALID =
  /[\0-\x08\x0B-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
/* eslint-enable no-control-regex */

// Most names and times need no escaping at all; one native scan decides.
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const NEEDS_WORK = /[&<>"\t\n\r\0-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/

// What INVALID might match: tracebacks need escaping for their newlines but rarely hold these, and
// INVALID's look-arounds make it the slowest scan of a long text.
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const MAY_STRIP = /[\0-\x08\x0B-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/

// This anchored scan is about twice as fast as NEEDS_WORK, whose character class V8 matches more
// slowly.
const PLAIN = /^[ !#-%'-;=?-~]*$/

/**
 * Printable ASCII without " & < >: the usual test id, reason or time, which goes into XML and
 * HTML text and attributes as it is.
 */
export function plainText(s: string): boolean {
  return PLAIN.test(s)
}

/** True when s goes into XML text and attributes as it is. */
export function xmlSafe(s: string): boolean {
  return PLAIN.test(s) || !NEEDS_WORK.test(s)
}

// What text (not attributes) must change: markup, and what INVALID might strip.
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const TEXT_NEEDS_WORK = /[&<>\0-\x08\x0B-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/

export function xmlText(s: string): string {
  // A traceback has newlines (no work in text) and rarely anything else: one scan, not four.
  if (PLAIN.test(s) || !TEXT_NEEDS_WORK.test(s)) return s
  if (MAY_STRIP.test(s)) s = s.replace(INVALID, '')
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

export function xmlAttr(s: string): string {
  if (xmlSafe(s)) return s
  return xmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;')
}
