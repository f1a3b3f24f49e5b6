import { isAbsolute, join, normalize } from 'node:path'
import * as core from '@actions/core'
import { InputError, boolInput, parseInput, requiredInput, textInput } from '@stackci/action-kit'
import { parseGerritChangeRef } from '@stackci/model'

export interface GerritSettings {
  kind: 'gerrit'
  /** Clone URL of the project, with credentials when given (never printed: see redactUrl). */
  gitUrl: string
  project: string
  branch: string
  ref: string
  revision?: string
  dir: string
  merge: boolean
}

export type Settings = GerritSettings | { kind: 'workspace'; workspace: string }

// Dispatched values reach git's command line: refuse anything git could read as an option or a path trick.
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/

function name(input: string, value: string): string {
  if (!NAME_RE.test(value) || value.includes('..'))
    throw new InputError(input, `'${value}' is not a valid name`)
  return value
}

export function readInputs(env: NodeJS.ProcessEnv = process.env): Settings {
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  const ref = textInput('ref')
  if (!ref) return { kind: 'workspace', workspace }
  parseInput('ref', (v) => parseGerritChangeRef(v))
  const password = textInput('password')
  if (password) core.setSecret(password)
  const username = textInput('username')
  if (Boolean(username) !== Boolean(password)) {
    throw new InputError(username ? 'password' : 'username', 'is required with the other one')
  }
  const base = parseInput('gerrit-url', (v) => {
    const u = new URL(requiredInput('gerrit-url'))
    if (!/^https?:$/.test(u.protocol) || u.username || u.search || u.hash) {
      throw new Error(`'${v}' must be an http(s) URL without credentials, query or fragment`)
    }
    return u
  })
  const project = name('project', requiredInput('project'))
  const branch = name('branch', textInput('branch') || 'master')
  const revision = textInput('revision')
  if (revision && !/^[0-9a-f]{40}$/.test(revision)) {
    throw new InputError('revision', `expected a full commit SHA, got '${revision}'`)
  }
  const path = textInput('path') || project.split('/').at(-1)!
  if (isAbsolute(path) || normalize(path).startsWith('..')) {
    throw new InputError('path', `'${path}' must be a relative path inside the workspace`)
  }
  name('path', path)
  if (username) {
    base.username = username
    base.password = password
  }
  const gitUrl = `${base.toString().replace(/\/+$/, '')}/${project}`
  return {
    kind: 'gerrit',
    gitUrl,
    project,
    branch,
    ref,
    ...(revision ? { revision } : {}),
    dir: join(workspace, path),
    merge: textInput('merge') === '' ? true : boolInput('merge'),
  }
}
