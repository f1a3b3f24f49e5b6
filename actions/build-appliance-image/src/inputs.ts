import { isAbsolute, join, resolve } from 'node:path'
import * as core from '@actions/core'
import {
  InputError,
  boolInput as bool,
  listInput,
  numberInput,
  optionalNumberInput,
  parseInput,
  pathInput,
  textInput,
} from '@stackci/action-kit'
import { IMAGE_NAME } from '@stackci/images'
import { parseImageMode, type ImageMode } from '@stackci/pipeline'

export interface Settings {
  mode: ImageMode
  changedFiles: string[]
  appliancePaths: string[]
  publishLocation: string
  version: string
  token: string
  imageName: string
  imageFormat: string
  imageSizeGb: number | undefined
  elements: string[]
  elementsPath: string[]
  dibEnv: Record<string, string>
  repoName: string
  sourcePath: string
  buildVersion: string
  outputDir: string
  bootCheck: boolean
  bootMarker: string
  bootTimeoutMs: number
  workspace: string
}

export { InputError }

/**
 * KEY=VALUE per line; a multi-line value (apt sources, a block-device YAML) uses the heredoc form
 * GitHub's own GITHUB_ENV file uses, `KEY<<DELIMITER`, lines kept verbatim, then `DELIMITER`.
 */
export function parseDibEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim()
    if (!t || t.startsWith('#')) continue
    const heredoc = /^([A-Za-z_][A-Za-z0-9_]*)<<(\S+)$/.exec(t)
    if (heredoc) {
      const end = lines.findIndex((l, j) => j > i && l.trim() === heredoc[2])
      if (end < 0)
        throw new InputError(
          'dib-env',
          `${heredoc[1]}<<${heredoc[2]} (line ${i + 1}) has no closing '${heredoc[2]}' line`,
        )
      env[heredoc[1]!] = lines.slice(i + 1, end).join('\n')
      i = end
      continue
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(t)
    if (!m) throw new InputError('dib-env', `line ${i + 1} is not KEY=VALUE or KEY<<DELIMITER: '${t}'`)
    env[m[1]!] = m[2]!
  }
  return env
}

export function readInputs(env: NodeJS.ProcessEnv = process.env): Settings {
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  const mode = parseInput('mode', parseImageMode)
  const token = core.getInput('token')
  if (token) core.setSecret(token)
  const imageName = core.getInput('image-name') || 'appliance'
  if (!IMAGE_NAME.test(imageName)) {
    throw new InputError('image-name', `'${imageName}' must be letters, digits, '.', '_' or '-'`)
  }
  const imageFormat = core.getInput('image-format') || 'qcow2'
  if (!/^[a-z0-9]+$/.test(imageFormat))
    throw new InputError('image-format', `'${imageFormat}' is not a format name`)
  const minutes = numberInput('boot-timeout-minutes', 10, { positive: true })
  const elementsPath = core
    .getInput('elements-path')
    .split(/[\r\n:]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((p) => (isAbsolute(p) ? p : resolve(workspace, p)))
  return {
    mode,
    changedFiles: core
      .getInput('changed-files')
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter(Boolean),
    appliancePaths: listInput('appliance-paths'),
    publishLocation: textInput('publish-location'),
    version: textInput('version'),
    token,
    imageName,
    imageFormat,
    imageSizeGb: optionalNumberInput('image-size', { positive: true }),
    elements: core.getInput('elements').split(/\s+/).filter(Boolean),
    elementsPath,
    dibEnv: parseDibEnv(core.getInput('dib-env')),
    repoName: textInput('repo-name'),
    sourcePath: pathInput('source-path', workspace) ?? resolve(workspace),
    buildVersion: textInput('build-version'),
    outputDir: pathInput('output-dir', workspace) ?? join(env.RUNNER_TEMP || workspace, 'appliance-image'),
    bootCheck: bool('boot-check'),
    bootMarker: core.getInput('boot-marker') || 'login:',
    bootTimeoutMs: Math.round(minutes * 60_000),
    workspace,
  }
}
