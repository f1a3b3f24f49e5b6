/**
 * OpenStack's recheck trigger (openstack/project-config zuul.d/pipelines.yaml, check pipeline):
 *   (?i)^(Patch Set [0-9]+:)?( [\w\\+-]*)*(\n\n)?\s*recheck
 * Gerrit prefixes a review message with "Patch Set N: <votes>" and a blank line, so the regex allows
 * that header and then wants "recheck" as the first word; no end anchor, so "recheck: bug 123"
 * counts. Zuul searches with Python's re.search, where `^` without MULTILINE is the string start,
 * as it is in JavaScript without the m flag.
 */
export const RECHECK_RE = /^(Patch Set [0-9]+:)?( [\w\\+-]*)*(\n\n)?\s*recheck/i

export function isRecheck(message: string): boolean {
  return RECHECK_RE.test(message)
}
