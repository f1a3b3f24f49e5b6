import type { MetaSection } from './job.js'
import { parseLocalrcValue } from './localrc-value.js'

/** localrc variables that hold secrets: devstack's *_PASSWORD family, tokens, keys. */
export const SECRET_VARIABLE_RE = /(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|_KEY$|^KEY$)/i
/** ini options in meta-sections that hold secrets (oslo.config's password, *_secret, ...). */
export const SECRET_OPTION_RE = /(pass(word|wd)?|secret|token|credential|(^|_)key)$/i

/** Secrets shorter than this are not scrubbed: replacing every "ab" would make logs unreadable. */
export const MIN_SECRET_LENGTH = 3

/**
 * Every text form a secret takes: as written, as bash sees it after expansion, and as it is
 * escaped inside local.conf's double quotes. Longest first, so scrubbing replaces a whole value
 * before any shorter secret inside it.
 */
export function secretForms(
  variables: readonly (readonly [name: string, raw: string, expanded: string])[],
  metaSections: MetaSection[],
): string[] {
  const forms = new Set<string>()
  for (const [name, raw, expanded] of variables) {
    if (!SECRET_VARIABLE_RE.test(name)) continue
    forms.add(raw)
    forms.add(expanded)
    forms.add(parseLocalrcValue(raw, name).quoted.slice(1, -1))
  }
  for (const ms of metaSections) {
    for (const s of ms.sections) for (const [k, v] of s.options) if (SECRET_OPTION_RE.test(k)) forms.add(v)
  }
  return [...forms]
    .filter((f) => f.length >= MIN_SECRET_LENGTH && !/^\$\{?\w+\}?$/.test(f))
    .sort((a, b) => b.length - a.length)
}

export const SCRUBBED = '********'

/**
 * A function that replaces every one of `secrets` in a text, for callers that scrub many texts
 * (every line stack.sh prints): the secrets are put in order once. Longest first, so a secret that
 * starts or sits inside a longer one cannot cut the longer one and leave its tail in the text.
 */
export function scrubber(secrets: readonly string[]): (text: string) => string {
  const ordered = secrets.filter(Boolean).sort((a, b) => b.length - a.length)
  return (text) => {
    let out = text
    for (const s of ordered) out = out.split(s).join(SCRUBBED)
    return out
  }
}

/** One-off scrubbing (use {@link scrubber} for many texts). */
export function scrub(text: string, secrets: readonly string[]): string {
  return scrubber(secrets)(text)
}

/** Values the job holds that are too short to scrub, named so the caller can warn. */
export function unscrubbable(variables: [string, string][]): string[] {
  return variables
    .filter(([k, v]) => SECRET_VARIABLE_RE.test(k) && v.length > 0 && v.length < MIN_SECRET_LENGTH)
    .map(([k]) => k)
}
