import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  InputError,
  boolInput as bool,
  fileInput,
  numberInput,
  pathInput,
  textInput,
} from '@stackci/action-kit'

export interface TempestSelection {
  directory: string
  workspace?: string
  regex?: string
  includeList?: string
  excludeList?: string
  concurrency: number
  serial: boolean
  /** 0: no limit. */
  timeoutMs: number
}

export interface Settings {
  /** Process this stream instead of running tempest. */
  subunitFile?: string
  tempest: TempestSelection
  outputDir: string
  jobName: string
  voting: boolean
  artifactName?: string
  failOnFailure: boolean
}

export function readInputs(env: NodeJS.ProcessEnv = process.env): Settings {
  const base = env.GITHUB_WORKSPACE || process.cwd()
  const directory = pathInput('directory', base) ?? resolve(base)
  const subunitFile = fileInput('subunit-file', base)
  if (!subunitFile && (!existsSync(directory) || !statSync(directory).isDirectory()))
    throw new InputError('directory', `no such directory: ${directory}`)
  const tempest: TempestSelection = {
    directory,
    concurrency: numberInput('concurrency', 0, { min: 0, integer: true }),
    serial: bool('serial'),
    timeoutMs: numberInput('timeout-minutes', 0, { min: 0 }) * 60_000,
  }
  const workspace = textInput('workspace')
  const regex = textInput('regex')
  if (workspace) tempest.workspace = workspace
  if (regex) tempest.regex = regex
  if (!subunitFile) {
    const include = fileInput('include-list', base)
    const exclude = fileInput('exclude-list', base)
    if (include) tempest.includeList = include
    if (exclude) tempest.excludeList = exclude
  }
  if (tempest.serial && tempest.concurrency > 1)
    throw new InputError(
      'serial',
      `serial runs one worker; concurrency ${tempest.concurrency} contradicts it`,
    )
  const jobName = textInput('job-name') || 'tempest'
  if (/\s/.test(jobName))
    throw new InputError(
      'job-name',
      `must not contain spaces (Gerrit result lines are split on them): '${jobName}'`,
    )
  const settings: Settings = {
    tempest,
    outputDir: pathInput('output-dir', base) ?? resolve(base, 'tempest-results'),
    jobName,
    voting: bool('voting'),
    failOnFailure: bool('fail-on-failure'),
  }
  if (subunitFile) settings.subunitFile = subunitFile
  const artifact = textInput('artifact-name')
  if (artifact) settings.artifactName = artifact
  return settings
}
