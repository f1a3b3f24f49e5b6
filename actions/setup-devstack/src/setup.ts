import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as core from '@actions/core'
import {
  SECRET_VARIABLE_RE,
  buildLocalConf,
  cloneDevstack,
  devstackRefFor,
  fetchPlugins,
  fetchRequiredProjects,
  missingTempestPlugins,
  missingProjects,
  parseJobYaml,
  placeProjects,
  prepareStackUser,
  renderLocalConf,
  runStack,
  scanPluginSettings,
  shouldErrorOnClone,
  stackciEnv,
  unscrubbable,
  type DevstackJob,
  type LocalConf,
  type PlacedProject,
  type StackResult,
} from '@stackci/devstack'
import { nodeExec } from '@stackci/exec'
import { parse } from 'yaml'
import { StackConsole } from './console.js'
import type { Settings } from './inputs.js'

/** What the run learned, for the log collection, the outputs and the summary (filled as it goes). */
export interface SetupState {
  job?: DevstackJob
  conf?: LocalConf
  localConfPath?: string
  devstack?: { ref: string; sha: string }
  placed: PlacedProject[]
  plugins: { name: string; sha: string; cloned: boolean }[]
  errorOnClone: boolean
  missing: string[]
  secrets: string[]
  notes: string[]
  stack?: { result: StackResult; exitCode: number | null; durationMs: number }
}

/** Runs one named step; an error comes out prefixed with the step's name. */
async function step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    throw new Error(`${name}: ${(e as Error).message}`, { cause: e })
  }
}

/** Masks the values of secret-looking localrc keys before validation can quote any of them. */
function maskEarly(text: string): string[] {
  try {
    const localrc = (parse(text) as { localrc?: Record<string, unknown> } | null)?.localrc
    const found: string[] = []
    for (const [k, v] of Object.entries(localrc ?? {})) {
      if (SECRET_VARIABLE_RE.test(k) && (typeof v === 'string' || typeof v === 'number') && String(v)) {
        core.setSecret(String(v))
        found.push(String(v))
      }
    }
    return found
  } catch {
    return []
  }
}

export async function setupDevstack(s: Settings, state: SetupState): Promise<void> {
  const text = await step('read config', () => readFileSync(s.config, 'utf8'))
  state.secrets.push(...maskEarly(text))
  const job = await step('config', () => parseJobYaml(text, s.config))
  state.job = job
  const choice = devstackRefFor(s.branch)

  mkdirSync(s.dest, { recursive: true })
  chmodSync(s.dest, 0o755)
  core.startGroup(`Clone devstack (${choice.candidates.join(' or ')})`)
  try {
    state.devstack = await step('clone devstack', () =>
      cloneDevstack(s.devstackRepo, join(s.dest, 'devstack'), choice.candidates, nodeExec),
    )
    core.info(`devstack ${state.devstack.ref} at ${state.devstack.sha}`)
  } finally {
    core.endGroup()
  }

  core.startGroup('Place the projects under test')
  try {
    state.placed = await step('place projects', () =>
      placeProjects(job.projects, { dest: s.dest, branch: s.branch, baseDir: s.workspace, exec: nodeExec }),
    )
    for (const p of state.placed) {
      core.info(`${p.name}: ${p.sha} -> ${p.dest} (branch ${p.branch})`)
      for (const w of p.warnings) core.warning(w)
    }
    // Repositories without a ref follow devstack: the same branch (or eol tag) where they have it, else master.
    const pluginRef = state.devstack.ref
    state.plugins = await step('fetch plugins', () =>
      fetchPlugins(job.plugins, { dest: s.dest, defaultRef: pluginRef, exec: nodeExec }),
    )
    for (const p of state.plugins)
      core.info(`plugin ${p.name}: ${p.sha}${p.cloned ? ' (cloned)' : ' (in place)'}`)
    const required = await step('fetch required projects', () =>
      fetchRequiredProjects(job.requiredProjects, { dest: s.dest, defaultRef: pluginRef, exec: nodeExec }),
    )
    for (const p of required.filter((r) => r.cloned))
      core.info(`required project ${p.name}: ${p.sha} (cloned)`)
    for (const t of missingTempestPlugins(job, s.dest)) {
      core.warning(
        `tempest plugin ${t} is not in ${s.dest}; add it to required_projects or TEMPEST_PLUGINS fails`,
      )
    }
  } finally {
    core.endGroup()
  }

  state.missing = missingProjects(job, s.dest)
  state.errorOnClone = shouldErrorOnClone(job, state.missing)
  const conf = await step('render local.conf', () =>
    buildLocalConf(job, {
      dest: s.dest,
      pluginSettings: scanPluginSettings(s.dest),
      errorOnClone: state.errorOnClone,
    }),
  )
  for (const secret of conf.secrets) core.setSecret(secret)
  state.secrets.push(...conf.secrets)
  state.conf = conf
  for (const w of conf.warnings) core.warning(w)
  for (const k of unscrubbable(conf.variables)) {
    core.warning(`localrc.${k} is too short to scrub from the logs; use a longer password`)
  }
  state.localConfPath = join(s.dest, 'devstack', 'local.conf')
  writeFileSync(state.localConfPath, renderLocalConf(conf), { mode: 0o640 })
  core.info(
    `local.conf: ${conf.localrc.length} localrc lines, plugins ${conf.plugins.map((p) => p.name).join(', ') || 'none'}` +
      `, ERROR_ON_CLONE ${state.errorOnClone ? 'on' : `off${state.missing.length ? ` (devstack clones ${state.missing.join(', ')})` : ''}`}`,
  )

  const prepared = await step('prepare the stack user', () =>
    prepareStackUser(s.stackUser, {
      home: s.dest,
      sudo: s.stackUserSudo,
      chown: [s.dest],
      exec: nodeExec,
    }),
  )
  core.info(
    `stack user ${prepared.user.name} (uid ${prepared.user.uid})${prepared.created ? ' created' : ''}` +
      `${prepared.sudoersFile ? `, sudo via ${prepared.sudoersFile}` : ''}`,
  )

  if (s.dryRun) {
    state.notes.push('dry run: stack.sh was not run')
    return
  }
  const out = new StackConsole(state.secrets, join(s.logDir, 'stack_sh_output.txt'))
  try {
    const r = await step('run stack.sh', () =>
      runStack({
        devstackDir: join(s.dest, 'devstack'),
        user: prepared.user,
        timeoutMs: s.timeoutMs,
        onLine: (l) => out.line(l),
        passEnv: stackciEnv(process.env),
      }),
    )
    state.stack = { result: r.result, exitCode: r.exitCode, durationMs: r.durationMs }
  } finally {
    await out.close()
  }
}

/** devstack's LOGFILE as it will resolve it, to find devstacklog.txt. */
export function resolvedLogfile(conf: LocalConf | undefined, dest: string): string | undefined {
  if (!conf) return join(dest, 'logs', 'devstacklog.txt')
  return conf.resolved.get('LOGFILE') || undefined
}
