import picomatch from 'picomatch'

/**
 * Zuul-style file matching, shared by `irrelevant-files` (skip a change that only touches these),
 * `files` (run only when one of these changed) and `appliance-paths` (build the image from source).
 *
 * Patterns are globs (`doc/**`, `**\/*.rst`, `releasenotes/**`); a pattern starting with `^` is a
 * regular expression matched against the whole path, as Zuul's matchers are, so job definitions
 * copied from a project's .zuul.yaml keep working.
 */
export interface FileMatcher {
  /** The patterns without blank entries and # comments, so reasons can print them and an empty list means none. */
  readonly patterns: readonly string[]
  matches(path: string): boolean
}

/** Patterns trimmed, with blank entries and `#` comments dropped. */
export function cleanPatterns(list: readonly string[]): string[] {
  return list.map((p) => p.trim()).filter((p) => p.length > 0 && !p.startsWith('#'))
}

export function fileMatcher(list: readonly string[]): FileMatcher {
  const patterns = cleanPatterns(list)
  const tests = patterns.map((p): ((path: string) => boolean) => {
    if (p.startsWith('^')) {
      let re: RegExp
      try {
        re = new RegExp(p)
      } catch (e) {
        throw new Error(`invalid file pattern '${p}': ${(e as Error).message}`)
      }
      return (path) => re.test(path)
    }
    return picomatch(p, { dot: true })
  })
  return {
    patterns,
    matches: (path) => tests.some((t) => t(path.replace(/^\.\//, ''))),
  }
}

/** Splits a multi-line or comma-separated list input into patterns. */
export function parsePatternList(text: string): string[] {
  return cleanPatterns(text.split(/\r?\n|,/))
}

/** Drops Gerrit's /COMMIT_MSG and /MERGE_LIST, which it lists as files of every revision: no matcher looks at them. */
export function realFiles(changedFiles: readonly string[]): string[] {
  return changedFiles.filter((f) => !f.startsWith('/'))
}

/** Zuul's `irrelevant-files`: a change is irrelevant only when it changes files and all of them match. */
export function onlyIrrelevant(changedFiles: readonly string[], irrelevant: FileMatcher): boolean {
  const files = realFiles(changedFiles)
  return files.length > 0 && irrelevant.patterns.length > 0 && files.every((f) => irrelevant.matches(f))
}

/** The changed files that match, for reasons printed in summaries ("appliance/foo.py matches appliance/**"). */
export function matchingFiles(changedFiles: readonly string[], matcher: FileMatcher): string[] {
  return realFiles(changedFiles).filter((f) => matcher.matches(f))
}
