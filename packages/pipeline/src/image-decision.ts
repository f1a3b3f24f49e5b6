import { fileMatcher, matchingFiles, realFiles } from './file-matcher.js'

/**
 * The Akanda rule: a change to the appliance or its image builder is tested with an image built
 * from the change; every other change reuses a published image, which is faster.
 */
export type ImageMode = 'auto' | 'build' | 'prebuilt'

export interface ImageDecisionInput {
  /** Files the change touches (Gerrit's /COMMIT_MSG and /MERGE_LIST are ignored). */
  changedFiles: readonly string[]
  /** Globs (or ^regexes) of the appliance and its image builder. */
  appliancePaths: readonly string[]
  mode?: ImageMode
}

export interface ImageDecision {
  action: 'build' | 'prebuilt'
  /** One sentence for the job summary and the `reason` output. */
  reason: string
  /** The changed files that made it a build (empty otherwise). */
  matched: string[]
}

const SHOWN = 5

export function parseImageMode(text: string): ImageMode {
  const v = text.trim().toLowerCase() || 'auto'
  if (v === 'auto' || v === 'build' || v === 'prebuilt') return v
  throw new Error(`mode must be auto, build or prebuilt, got '${text}'`)
}

export function decideImage(input: ImageDecisionInput): ImageDecision {
  const mode = input.mode ?? 'auto'
  if (mode === 'build')
    return { action: 'build', reason: 'mode is build: the image is built from the change', matched: [] }
  if (mode === 'prebuilt')
    return { action: 'prebuilt', reason: 'mode is prebuilt: a published image is used', matched: [] }
  const appliance = fileMatcher(input.appliancePaths)
  if (appliance.patterns.length === 0) {
    return {
      action: 'prebuilt',
      reason: 'no appliance-paths are set, so no change builds the image',
      matched: [],
    }
  }
  const matched = matchingFiles(input.changedFiles, appliance)
  if (matched.length === 0) {
    const n = realFiles(input.changedFiles).length
    return {
      action: 'prebuilt',
      reason: `none of the ${n} changed file${n === 1 ? '' : 's'} match appliance-paths (${appliance.patterns.join(', ')}): a published image is used`,
      matched,
    }
  }
  const shown =
    matched.slice(0, SHOWN).join(', ') + (matched.length > SHOWN ? ` and ${matched.length - SHOWN} more` : '')
  return {
    action: 'build',
    reason: `the change touches the appliance (${shown} match${matched.length === 1 ? 'es' : ''} appliance-paths): the image is built from the change`,
    matched,
  }
}
