import { join } from 'node:path'
import { ContractError } from '@stackci/model'
import { shortName, type DevstackJob, type MetaSection, type PluginSpec } from './job.js'
import { expandLocalrcValue, parseLocalrcValue } from './localrc-value.js'
import { CycleError, dependencyOrder } from './order.js'
import { orderPlugins, type PluginSettings } from './plugin-graph.js'
import { secretForms } from './secrets.js'

export const DEFAULT_DEST = '/opt/stack'

/**
 * Variables every stackci devstack job gets unless its description says otherwise: the logging
 * settings of devstack's `devstack-base` job, so the log collection finds devstacklog.txt and the
 * log is readable in a browser.
 */
export const BASE_LOCALRC: Readonly<Record<string, string>> = {
  LOGFILE: '$DEST/logs/devstacklog.txt',
  LOG_COLOR: 'False',
  VERBOSE: 'True',
  VERBOSE_NO_TIMESTAMP: 'True',
}

export interface RenderOptions {
  /** $DEST; written as DEST when it is not devstack's default. */
  dest?: string
  /** devstack/settings of the plugins found in $DEST (scanPluginSettings). */
  pluginSettings?: Map<string, PluginSettings>
  /** Set ERROR_ON_CLONE=True (every required project is in place) unless the job sets it. */
  errorOnClone?: boolean
  /** Include BASE_LOCALRC (default true). */
  baseLocalrc?: boolean
}

export interface LocalConf {
  /** Lines of [[local|localrc]]. */
  localrc: string[]
  /** localrc variables in the order rendered, with their values as the job wrote them. */
  variables: [string, string][]
  /** The same variables as bash ends up with them in stack.sh, where DEST and TOP_DIR are set. */
  resolved: ReadonlyMap<string, string>
  plugins: PluginSpec[]
  metaSections: MetaSection[]
  /** Every form a secret value can take in the rendered file and in devstack's output. */
  secrets: string[]
  warnings: string[]
}

/**
 * Builds local.conf the way devstack's write-devstack-local-conf role does: services, then the
 * variables (alphabetical, referenced ones first), LIBS_FROM_GIT, TEMPEST_PLUGINS, and
 * enable_plugin lines last so the variables above them apply to the plugins; then the meta-sections.
 */
export function buildLocalConf(job: DevstackJob, options: RenderOptions = {}): LocalConf {
  const dest = options.dest ?? DEFAULT_DEST
  const warnings: string[] = []
  const vars: Record<string, string> = {}
  if (options.baseLocalrc !== false) Object.assign(vars, BASE_LOCALRC)
  if (dest !== DEFAULT_DEST) vars.DEST = dest
  if (options.errorOnClone) vars.ERROR_ON_CLONE = 'True'
  if (job.localrc.DEST !== undefined && options.dest !== undefined && job.localrc.DEST !== dest) {
    throw new ContractError('localrc.DEST', `'${job.localrc.DEST}' disagrees with the dest setting '${dest}'`)
  }
  Object.assign(vars, job.localrc)

  const lines: string[] = []
  const { base, enable, disable } = job.services
  if (base === false) lines.push('disable_all_services')
  else if (base) lines.push(base.length ? `ENABLED_SERVICES=${base.join(',')}` : 'disable_all_services')
  for (const s of enable) lines.push(`enable_service ${s}`)
  for (const s of disable) lines.push(`disable_service ${s}`)

  const parsed = new Map(Object.entries(vars).map(([k, v]) => [k, parseLocalrcValue(v, `localrc.${k}`)]))
  let order: string[]
  try {
    order = dependencyOrder(parsed.keys(), (k) => parsed.get(k)!.refs, 'localrc variables')
  } catch (e) {
    if (e instanceof CycleError) throw new ContractError(`localrc.${e.cycle[0]}`, e.message)
    throw e
  }
  for (const k of order) {
    lines.push(`${k}=${parsed.get(k)!.quoted}`)
    for (const ref of parsed.get(k)!.refs) {
      if (!parsed.has(ref) && /[a-z]/.test(ref)) {
        warnings.push(
          `localrc.${k} references $${ref}, which the job does not define (bash expands it to ''); write \\$ for a literal dollar`,
        )
      }
    }
  }

  if (vars.LIBS_FROM_GIT === undefined) {
    const libs: string[] = []
    for (const p of [...job.requiredProjects, ...job.projects])
      if (!libs.includes(p.shortName)) libs.push(p.shortName)
    if (libs.length) lines.push(`LIBS_FROM_GIT=${parseLocalrcValue(libs.join(','), 'LIBS_FROM_GIT').quoted}`)
  }
  if (job.tempestPlugins.length) {
    if (vars.TEMPEST_PLUGINS === undefined) {
      const dirs = job.tempestPlugins.map((p) => `${dest}/${shortName(p)}`)
      lines.push(`TEMPEST_PLUGINS=${parseLocalrcValue(dirs.join(' '), 'TEMPEST_PLUGINS').quoted}`)
    } else {
      warnings.push(
        `localrc.TEMPEST_PLUGINS is set, so tempest_plugins (${job.tempestPlugins.join(', ')}) is ignored`,
      )
    }
  }
  const plugins = orderPlugins(job.plugins, options.pluginSettings ?? new Map())
  for (const p of plugins) lines.push(`enable_plugin ${p.name} ${p.url}${p.ref ? ` ${p.ref}` : ''}`)

  const variables = order.map((k): [string, string] => [k, vars[k]!])
  const resolved = resolveVariables(variables, (n) =>
    n === 'DEST' ? dest : n === 'TOP_DIR' ? join(dest, 'devstack') : undefined,
  )
  const secrets = secretForms(
    variables.map(([k, v]) => [k, v, resolved.get(k) ?? v] as const),
    job.localConf,
  )
  return {
    localrc: lines,
    variables,
    resolved,
    plugins,
    metaSections: job.localConf,
    secrets,
    warnings,
  }
}

/**
 * The values bash ends up with after sourcing the variables in order: each reference resolves to
 * what was assigned before it, else to `env` (devstack's own variables such as DEST or TOP_DIR).
 */
export function resolveVariables(
  variables: [string, string][],
  env: (name: string) => string | undefined = () => undefined,
): Map<string, string> {
  const state = new Map<string, string>()
  for (const [k, v] of variables)
    state.set(
      k,
      expandLocalrcValue(v, (r) => state.get(r) ?? env(r)),
    )
  return state
}

export function renderLocalConf(conf: LocalConf): string {
  let out = '[[local|localrc]]\n' + conf.localrc.join('\n') + '\n'
  for (const ms of conf.metaSections) {
    out += `\n[[${ms.phase}|${ms.file}]]\n`
    for (const s of ms.sections) {
      out += `[${s.name}]\n`
      for (const [k, v] of s.options) out += `${k} = ${v}\n`
    }
  }
  return out
}
