import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ContractError } from '@stackci/model'
import { CycleError, dependencyOrder } from './order.js'
import type { PluginSpec } from './job.js'

/** What a plugin's devstack/settings declares about itself. */
export interface PluginSettings {
  name: string
  requires: string[]
  /** The settings file, for error messages. */
  file: string
}

// The upstream role's regexes (roles/write-devstack-local-conf/library/devstack_local_conf.py).
const DEFINE_RE = /^define_plugin\s+(\S+)/
const REQUIRE_RE = /^plugin_requires\s+(\S+)\s+(\S+)/

/** Reads define_plugin / plugin_requires; requirements of another name than the defined one are ignored, as upstream. */
export function parsePluginSettings(text: string, file: string): PluginSettings | undefined {
  let name: string | undefined
  const requires: string[] = []
  for (const line of text.split('\n')) {
    const d = DEFINE_RE.exec(line)
    if (d) name = d[1]
    const r = REQUIRE_RE.exec(line)
    if (r && r[1] === name && !requires.includes(r[2]!)) requires.push(r[2]!)
  }
  return name ? { name, requires, file } : undefined
}

/**
 * Finds every git checkout under `baseDir` (not descending into one, as upstream) and reads its
 * devstack/settings. `maxDepth` keeps the walk out of $DEST/data and virtualenvs, which hold no
 * checkouts but many files.
 */
export function scanPluginSettings(baseDir: string, maxDepth = 3): Map<string, PluginSettings> {
  const found = new Map<string, PluginSettings>()
  const walk = (dir: string, depth: number): void => {
    let entries
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    if (entries.some((e) => e.name === '.git')) {
      const file = join(dir, 'devstack', 'settings')
      let text: string | undefined
      try {
        if (statSync(file).isFile()) text = readFileSync(file, 'utf8')
      } catch {
        text = undefined
      }
      const settings = text === undefined ? undefined : parsePluginSettings(text, file)
      if (settings) found.set(settings.name, settings)
      return
    }
    if (depth >= maxDepth) return
    for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name), depth + 1)
  }
  walk(baseDir, 0)
  return found
}

/**
 * The job's plugins in an order where each comes after the plugins it requires. A requirement the
 * job does not enable, or a cycle, is a ContractError naming the plugin and the settings file.
 */
export function orderPlugins(
  plugins: PluginSpec[],
  settings: Map<string, PluginSettings>,
  path = 'plugins',
): PluginSpec[] {
  const byName = new Map(plugins.map((p) => [p.name, p]))
  for (const p of plugins) {
    const s = settings.get(p.name)
    for (const req of s?.requires ?? []) {
      if (!byName.has(req)) {
        throw new ContractError(
          `${path}.${p.name}`,
          `requires plugin '${req}' (plugin_requires in ${s!.file}), which the job does not enable; add it to plugins`,
        )
      }
    }
  }
  let names: string[]
  try {
    names = dependencyOrder(byName.keys(), (n) => settings.get(n)?.requires ?? [], 'plugins')
  } catch (e) {
    if (e instanceof CycleError) {
      const files = e.cycle.slice(0, -1).map((n) => settings.get(n)?.file ?? n)
      throw new ContractError(path, `${e.message} (plugin_requires in ${files.join(', ')})`)
    }
    throw e
  }
  return names.map((n) => byName.get(n)!)
}
