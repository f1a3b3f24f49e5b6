import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import * as core from '@actions/core'

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

/** Thrown for a bad input; the message starts with the input's name. */
export class InputError extends Error {
  constructor(input: string, message: string) {
    super(`input '${input}': ${message}`)
    this.name = 'InputError'
  }
}

function bool(name: string): boolean {
  const v = core.getInput(name).trim().toLowerCase()
  if (['true', 'yes', '1'].includes(v)) return true
  if (['false', 'no', '0', ''].includes(v)) return false
  throw new InputError(name, `expected true or false, got '${v}'`)
}

function nonNegative(name: string, fallback: number, integer: boolean): number {
  const raw = core.getInput(name).trim()
  if (raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
    throw new InputError(name, `expected a ${integer ? 'whole ' : ''}number ≥ 0, got '${raw}'`)
  return n
}

function existingFile(name: string, base: string): string | undefined {
  const raw = core.getInput(name).trim()
  if (!raw) return undefined
  const path = resolve(base, raw)
  if (!existsSync(path) || !statSync(path).isFile()) throw new InputError(name, `no such file: ${path}`)
  return path
}

export function readInputs(env: NodeJS.ProcessEnv = process.env): Settings {
  const base = env.GITHUB_WORKSPACE || process.cwd()
  const directory = resolve(base, core.getInput('directory').trim() || '.')
  const subunitFile = existingFile('subunit-file', base)
  if (!subunitFile && (!existsSync(directory) || !statSync(directory).isDirectory()))
    throw new InputError('directory', `no such directory: ${directory}`)
  const tempest: TempestSelection = {
    directory,
    concurrency: nonNegative('concurrency', 0, true),
    serial: bool('serial'),
    timeoutMs: nonNegative('timeout-minutes', 0, false) * 60_000,
  }
  const workspace = core.getInput('workspace').trim()
  const regex = core.getInput('regex').trim()
  if (workspace) tempest.workspace = workspace
  if (regex) tempest.regex = regex
  if (!subunitFile) {
    const include = existingFile('include-list', base)
    const exclude = existingFile('exclude-list', base)
    if (include) tempest.includeList = include
    if (exclude) tempest.excludeList = exclude
  }
  if (tempest.serial && tempest.concurrency > 1)
    throw new InputError(
      'serial',
      `serial runs one worker; concurrency ${tempest.concurrency} contradicts it`,
    )
  const jobName = core.getInput('job-name').trim() || 'tempest'
  if (/\s/.test(jobName))
    throw new InputError(
      'job-name',
      `must not contain spaces (Gerrit result lines are split on them): '${jobName}'`,
    )
  const settings: Settings = {
    tempest,
    outputDir: resolve(base, core.getInput('output-dir').trim() || 'tempest-results'),
    jobName,
    voting: bool('voting'),
    failOnFailure: bool('fail-on-failure'),
  }
  if (subunitFile) settings.subunitFile = subunitFile
  const artifact = core.getInput('artifact-name').trim()
  if (artifact) settings.artifactName = artifact
  return settings
}
