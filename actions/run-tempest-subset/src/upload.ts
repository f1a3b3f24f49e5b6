import * as core from '@actions/core'

/**
 * Uploads the result files. Without the runner's artifact service (ACTIONS_RUNTIME_TOKEN and
 * ACTIONS_RESULTS_URL, only set on a real GitHub runner) we warn and return undefined instead of
 * failing: the verdict and the files in output-dir are already there, and failing the step here
 * would report an infrastructure gap as a test failure.
 */
export async function uploadResults(
  name: string,
  rootDir: string,
  files: string[],
): Promise<number | undefined> {
  if (!process.env.ACTIONS_RUNTIME_TOKEN || !process.env.ACTIONS_RESULTS_URL) {
    core.warning(
      `artifact-name '${name}' was given but the artifact service is not available (ACTIONS_RUNTIME_TOKEN/ACTIONS_RESULTS_URL unset: not on a GitHub runner?); the results stay in ${rootDir} and were not uploaded`,
    )
    return undefined
  }
  // Loaded only here: @actions/artifact is heavy and most runs start without it.
  const { DefaultArtifactClient } = await import('@actions/artifact')
  const client = new DefaultArtifactClient()
  const { id, size } = await client.uploadArtifact(name, files, rootDir)
  core.info(`uploaded artifact '${name}' (${size ?? '?'} bytes, id ${id ?? '?'})`)
  return id
}
