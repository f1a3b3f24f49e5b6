import { ContractError, asArray, asObject, asString, describe } from '@stackci/model'
import { parse, YAMLParseError } from 'yaml'
import { VARIABLE_NAME_RE, parseLocalrcValue, scalarText } from './localrc-value.js'

/**
 * A devstack job description: what a consuming repository writes (YAML) to say how devstack is set
 * up for its changes. The shape follows the upstream job variables (devstack_localrc,
 * devstack_local_conf, devstack_plugins, devstack_services, tempest_plugins, required-projects)
 * so jobs can be carried over from a Zuul configuration.
 */
export interface DevstackJob {
  name?: string
  description?: string
  /** Variables of [[local|localrc]], in the order written (rendering reorders them). */
  localrc: Record<string, string>
  /** phase -> config file -> section -> key -> value (`post-config`, `test-config`, ...). */
  localConf: MetaSection[]
  /** Plugins in the order written; ref defaults to devstack's (the target branch's master). */
  plugins: PluginSpec[]
  services: ServiceSpec
  tempestPlugins: string[]
  /** Projects under test: checkouts that devstack must use instead of cloning. */
  projects: ProjectSpec[]
  /**
   * Everything devstack needs in $DEST (Zuul's required-projects): setup-devstack clones the ones
   * that are not projects under test, and when all are there, devstack's cloning is turned off.
   */
  requiredProjects: RequiredProject[]
}

export interface RequiredProject {
  name: string
  shortName: string
  /** Default: devstack's GIT_BASE (https://opendev.org) + /<name>.git, as stackrc builds *_REPO. */
  url: string
  /** Default: the target branch where the project has it, else master (branchless projects). */
  ref?: string
}

export interface MetaSection {
  phase: MetaPhase
  file: string
  sections: { name: string; options: [string, string][] }[]
}

export interface PluginSpec {
  name: string
  url: string
  ref?: string
}

export interface ServiceSpec {
  /** Absent: keep devstack's default set. false: disable_all_services. A list: ENABLED_SERVICES. */
  base?: string[] | false
  enable: string[]
  disable: string[]
}

export interface ProjectSpec {
  /** Full name as Gerrit or GitHub knows it (openstack/ironic). */
  name: string
  /** Directory under $DEST: the last path component, as devstack and Zuul name it. */
  shortName: string
  /** Local checkout, relative to the directory the job is resolved against. */
  path: string
}

/** The phases devstack's stack.sh merges (inc/meta-config); `local` is the localrc section itself. */
export const META_PHASES = ['post-config', 'extra', 'post-extra', 'test-config'] as const
export type MetaPhase = (typeof META_PHASES)[number]

const TOP_KEYS = [
  'name',
  'description',
  'localrc',
  'local_conf',
  'plugins',
  'services',
  'tempest_plugins',
  'projects',
  'required_projects',
] as const

/** Parses and validates a job description; every error names the bad key (ContractError.path). */
export function parseJobYaml(text: string, source = 'job'): DevstackJob {
  let doc: unknown
  try {
    doc = parse(text, { uniqueKeys: true })
  } catch (e) {
    if (e instanceof YAMLParseError) throw new ContractError(source, `not valid YAML: ${e.message}`)
    throw e
  }
  return parseJob(doc, source)
}

export function parseJob(doc: unknown, source = 'job'): DevstackJob {
  const o = asObject(doc ?? {}, source)
  unknownKeys(o, TOP_KEYS, source)
  const job: DevstackJob = {
    localrc: parseLocalrc(o.localrc, `${source}.localrc`),
    localConf: parseLocalConf(o.local_conf, `${source}.local_conf`),
    plugins: parsePlugins(o.plugins, `${source}.plugins`),
    services: parseServices(o.services, `${source}.services`),
    tempestPlugins: nameList(o.tempest_plugins, `${source}.tempest_plugins`),
    projects: parseProjects(o.projects, `${source}.projects`),
    requiredProjects: [],
  }
  job.requiredProjects = parseRequired(
    o.required_projects,
    `${source}.required_projects`,
    job.localrc.GIT_BASE,
  )
  if (o.name !== undefined) job.name = asString(o.name, `${source}.name`)
  if (o.description !== undefined) job.description = asString(o.description, `${source}.description`)
  crossCheck(job, source)
  return job
}

function unknownKeys(o: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) {
      throw new ContractError(`${path}.${k}`, `unknown key (expected one of: ${allowed.join(', ')})`)
    }
  }
}

function parseLocalrc(value: unknown, path: string): Record<string, string> {
  if (value === undefined || value === null) return {}
  const o = asObject(value, path)
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(o)) {
    if (!VARIABLE_NAME_RE.test(k)) {
      throw new ContractError(
        `${path}.${k}`,
        'not a shell variable name (letters, digits and _, not starting with a digit)',
      )
    }
    const text = scalarText(v, `${path}.${k}`)
    parseLocalrcValue(text, `${path}.${k}`)
    out[k] = text
  }
  return out
}

const INI_SAFE = /^[^\r\n\0]*$/

function parseLocalConf(value: unknown, path: string): MetaSection[] {
  if (value === undefined || value === null) return []
  const out: MetaSection[] = []
  for (const [phase, files] of Object.entries(asObject(value, path))) {
    const phasePath = `${path}.${phase}`
    if (phase === 'local') {
      throw new ContractError(
        phasePath,
        'the [[local|localrc]] section is written from `localrc`; put variables there',
      )
    }
    if (!(META_PHASES as readonly string[]).includes(phase)) {
      throw new ContractError(phasePath, `unknown phase (expected one of: ${META_PHASES.join(', ')})`)
    }
    for (const [file, sections] of Object.entries(asObject(files, phasePath))) {
      const filePath = `${phasePath}.${file}`
      // stack.sh splits the header on '|' and strips brackets; spaces break its awk field split.
      if (!file || /[\s|[\]]/.test(file)) {
        throw new ContractError(
          filePath,
          'a config file name must not be empty or contain spaces, | or brackets',
        )
      }
      const ms: MetaSection = { phase: phase as MetaPhase, file, sections: [] }
      for (const [section, options] of Object.entries(asObject(sections, filePath))) {
        const sectionPath = `${filePath}.${section}`
        if (!section || !INI_SAFE.test(section) || /[[\]]/.test(section)) {
          throw new ContractError(sectionPath, 'not a valid ini section name')
        }
        const opts: [string, string][] = []
        for (const [k, v] of Object.entries(asObject(options ?? {}, sectionPath))) {
          const keyPath = `${sectionPath}.${k}`
          if (!k || /[\s=]/.test(k))
            throw new ContractError(keyPath, 'an ini option name must not contain spaces or =')
          const text = scalarText(v, keyPath)
          if (!INI_SAFE.test(text)) throw new ContractError(keyPath, 'ini values must be one line')
          opts.push([k, text])
        }
        ms.sections.push({ name: section, options: opts })
      }
      out.push(ms)
    }
  }
  return out
}

const PLUGIN_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

function parsePlugins(value: unknown, path: string): PluginSpec[] {
  if (value === undefined || value === null) return []
  const out: PluginSpec[] = []
  for (const [name, spec] of Object.entries(asObject(value, path))) {
    const p = `${path}.${name}`
    if (!PLUGIN_NAME_RE.test(name)) throw new ContractError(p, 'not a plugin name')
    if (typeof spec === 'string') {
      out.push({ name, url: checkUrl(spec, p) })
      continue
    }
    const o = asObject(spec, p)
    unknownKeys(o, ['url', 'ref'], p)
    const plugin: PluginSpec = { name, url: checkUrl(asString(o.url, `${p}.url`), `${p}.url`) }
    if (o.ref !== undefined) plugin.ref = checkWord(asString(o.ref, `${p}.ref`), `${p}.ref`)
    out.push(plugin)
  }
  return out
}

function checkUrl(url: string, path: string): string {
  if (!url) throw new ContractError(path, 'the git URL is empty')
  return checkWord(url, path)
}

/** enable_plugin splits its arguments on whitespace. */
function checkWord(text: string, path: string): string {
  if (/\s/.test(text) || /[`$"'\\;&|<>()]/.test(text)) {
    throw new ContractError(path, `'${text}' must be one word without shell metacharacters`)
  }
  return text
}

function parseServices(value: unknown, path: string): ServiceSpec {
  if (value === undefined || value === null) return { enable: [], disable: [] }
  const o = asObject(value, path)
  unknownKeys(o, ['base', 'enable', 'disable'], path)
  const spec: ServiceSpec = {
    enable: nameList(o.enable, `${path}.enable`),
    disable: nameList(o.disable, `${path}.disable`),
  }
  if (o.base === false) spec.base = false
  else if (o.base !== undefined && o.base !== true) spec.base = nameList(o.base, `${path}.base`)
  for (const s of spec.enable) {
    if (spec.disable.includes(s)) {
      throw new ContractError(`${path}.enable`, `'${s}' is both enabled and disabled`)
    }
  }
  return spec
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/

function nameList(value: unknown, path: string): string[] {
  if (value === undefined || value === null) return []
  const list = asArray(value, path).map((v, i) => {
    const s = asString(v, `${path}[${i}]`)
    if (!NAME_RE.test(s)) throw new ContractError(`${path}[${i}]`, `not a name: ${describe(s)}`)
    return s
  })
  const dup = list.find((s, i) => list.indexOf(s) !== i)
  if (dup) throw new ContractError(path, `'${dup}' is listed twice`)
  return list
}

export function shortName(project: string): string {
  return project.replace(/\/+$/, '').split('/').pop() ?? project
}

function parseProjects(value: unknown, path: string): ProjectSpec[] {
  if (value === undefined || value === null) return []
  const out: ProjectSpec[] = []
  for (const [name, spec] of Object.entries(asObject(value, path))) {
    const p = `${path}.${name}`
    if (!NAME_RE.test(name)) throw new ContractError(p, 'not a project name (like openstack/ironic)')
    let dir: string
    if (typeof spec === 'string') dir = spec
    else {
      const o = asObject(spec, p)
      unknownKeys(o, ['path'], p)
      dir = asString(o.path, `${p}.path`)
    }
    if (!dir) throw new ContractError(p, 'the checkout path is empty')
    const short = shortName(name)
    const clash = out.find((x) => x.shortName === short)
    if (clash) throw new ContractError(p, `would share $DEST/${short} with ${clash.name}`)
    out.push({ name, shortName: short, path: dir })
  }
  return out
}

function parseRequired(value: unknown, path: string, gitBase = 'https://opendev.org'): RequiredProject[] {
  if (value === undefined || value === null) return []
  const out: RequiredProject[] = []
  asArray(value, path).forEach((entry, i) => {
    const p = `${path}[${i}]`
    let project: RequiredProject
    if (typeof entry === 'string') {
      project = {
        name: entry,
        shortName: shortName(entry),
        url: `${gitBase.replace(/\/+$/, '')}/${entry}.git`,
      }
    } else {
      const o = asObject(entry, p)
      unknownKeys(o, ['name', 'url', 'ref'], p)
      const name = asString(o.name, `${p}.name`)
      project = { name, shortName: shortName(name), url: checkUrl(asString(o.url, `${p}.url`), `${p}.url`) }
      if (o.ref !== undefined) project.ref = checkWord(asString(o.ref, `${p}.ref`), `${p}.ref`)
    }
    if (!NAME_RE.test(project.name))
      throw new ContractError(p, `not a project name: ${describe(project.name)}`)
    checkWord(project.url, p)
    if (out.some((x) => x.shortName === project.shortName)) {
      throw new ContractError(p, `'${project.shortName}' is listed twice`)
    }
    out.push(project)
  })
  return out
}

function crossCheck(job: DevstackJob, source: string): void {
  const reclone = job.localrc.RECLONE
  if (job.projects.length && reclone !== undefined && /^(true|yes|1|on)$/i.test(reclone)) {
    // git_clone with RECLONE fetches and checks out the branch over an existing checkout.
    throw new ContractError(
      `${source}.localrc.RECLONE`,
      'would replace the projects under test with their branch tips',
    )
  }
  for (const plugin of job.plugins) {
    const project = job.projects.find((p) => p.shortName === plugin.name)
    if (project && plugin.ref) {
      throw new ContractError(
        `${source}.plugins.${plugin.name}.ref`,
        `the plugin is under test (${project.name}); its checkout is used, so a ref would be ignored`,
      )
    }
  }
  for (const key of ['ADMIN_PASSWORD', 'DATABASE_PASSWORD', 'RABBIT_PASSWORD', 'SERVICE_PASSWORD']) {
    if (job.localrc[key] === undefined) {
      // stack.sh's read_password would wait for a terminal that a CI job does not have.
      throw new ContractError(
        `${source}.localrc.${key}`,
        'is required: without it stack.sh prompts for a password',
      )
    }
  }
}
