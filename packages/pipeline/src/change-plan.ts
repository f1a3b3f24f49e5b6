import { fileMatcher, matchingFiles, onlyIrrelevant, realFiles } from './file-matcher.js'
import { decideImage, type ImageDecision, type ImageMode } from './image-decision.js'

/** What the check and gate workflows would run for a set of changed files, and why. */
export interface PlanSettings {
  /** tox environments of the style and unit jobs (check.yml pep8-env, unit-env). */
  toxEnvs: readonly string[]
  /** Name of the devstack-tempest job; undefined when the project has none. */
  devstackJob?: string
  /** Zuul's irrelevant-files of the devstack job. */
  irrelevantFiles: readonly string[]
  appliancePaths: readonly string[]
  imageMode: ImageMode
  /** Whether the devstack job uses an appliance image (check.yml image-name). */
  usesImage: boolean
}

export interface PlannedJob {
  name: string
  run: boolean
  reason: string
}

export interface ChangePlan {
  changedFiles: string[]
  jobs: PlannedJob[]
  /** How the devstack job gets its image, when it runs and uses one. */
  image?: ImageDecision
}

export function planChange(changedFiles: readonly string[], s: PlanSettings): ChangePlan {
  const files = realFiles(changedFiles)
  const jobs: PlannedJob[] = s.toxEnvs.map((env) => ({
    name: `openstack-tox-${env}`,
    run: true,
    reason: `tox -e ${env} runs on every change`,
  }))
  const plan: ChangePlan = { changedFiles: files, jobs }
  if (!s.devstackJob) return plan
  const irrelevant = fileMatcher(s.irrelevantFiles)
  if (onlyIrrelevant(files, irrelevant)) {
    jobs.push({
      name: s.devstackJob,
      run: false,
      reason: `all ${files.length} changed file(s) match irrelevant-files (${irrelevant.patterns.join(', ')})`,
    })
    return plan
  }
  const relevant = files.length - matchingFiles(files, irrelevant).length
  jobs.push({
    name: s.devstackJob,
    run: true,
    reason:
      files.length === 0
        ? 'no changed files to exclude it'
        : `${relevant} of ${files.length} changed file(s) are not irrelevant-files`,
  })
  if (s.usesImage)
    plan.image = decideImage({ changedFiles: files, appliancePaths: s.appliancePaths, mode: s.imageMode })
  return plan
}
