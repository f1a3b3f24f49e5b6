import { basename, dirname, join, resolve } from 'node:path'
import * as core from '@actions/core'
import { InputError, boolInput as bool, pathInput, textInput } from '@stackci/action-kit'

export interface Settings {
  imagePath: string
  manifestPath: string
  publishLocation: string
  token: string
  keepVersions: number
  makeLatest: boolean
  targetCommitish: string
}

export { InputError }

/** <dir>/<name>.<format> → <dir>/<name>.manifest.json, the layout build-appliance-image writes. */
export function defaultManifestPath(imagePath: string): string {
  const file = basename(imagePath)
  const dot = file.lastIndexOf('.')
  return join(dirname(imagePath), `${dot > 0 ? file.slice(0, dot) : file}.manifest.json`)
}

export function readInputs(env: NodeJS.ProcessEnv = process.env): Settings {
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  const token = core.getInput('token')
  if (token) core.setSecret(token)
  const imagePath = resolve(workspace, core.getInput('image-path', { required: true }))
  // Not numberInput: its wording ('a whole number ≥ 1') differs from this action's established error.
  const keepText = textInput('keep-versions') || '10'
  const keepVersions = Number(keepText)
  if (!Number.isInteger(keepVersions) || keepVersions < 1) {
    throw new InputError('keep-versions', `expected an integer ≥ 1, got '${keepText}'`)
  }
  let publishLocation = textInput('publish-location')
  if (!publishLocation) {
    if (!env.GITHUB_REPOSITORY)
      throw new InputError('publish-location', 'not set, and GITHUB_REPOSITORY is not either')
    publishLocation = `github:${env.GITHUB_REPOSITORY}`
  }
  return {
    imagePath,
    manifestPath: pathInput('manifest-path', workspace) ?? defaultManifestPath(imagePath),
    publishLocation,
    token,
    keepVersions,
    makeLatest: bool('make-latest'),
    targetCommitish: textInput('target-commitish'),
  }
}
