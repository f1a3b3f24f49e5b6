import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ContractError } from '@stackci/model'
import { describe, expect, it } from 'vitest'
import { orderPlugins, parsePluginSettings, scanPluginSettings, type PluginSpec } from '../src/index.js'
import { makePlugin, makeRepo, tempDir } from './git-fixtures.js'

const spec = (...names: string[]): PluginSpec[] =>
  names.map((name) => ({ name, url: `https://opendev.org/x/${name}` }))

function layout(plugins: Record<string, string[]>): string {
  const dest = tempDir()
  for (const [name, requires] of Object.entries(plugins)) makePlugin(join(dest, name), name, requires)
  return dest
}

describe('plugin settings', () => {
  it('reads define_plugin and only the defined plugin’s requirements', () => {
    const s = parsePluginSettings(
      'define_plugin ironic\nplugin_requires ironic neutron\nplugin_requires other nova\n  plugin_requires ironic indented\nplugin_requires ironic neutron\n',
      'x/settings',
    )
    expect(s).toEqual({ name: 'ironic', requires: ['neutron'], file: 'x/settings' })
    expect(parsePluginSettings('FOO=bar\n', 'y')).toBeUndefined()
  })

  it('finds plugins in git roots under $DEST without descending into them', () => {
    const dest = layout({ alpha: ['beta'], beta: [] })
    // A settings file inside a checkout (a vendored copy) is not a plugin of its own.
    mkdirSync(join(dest, 'alpha', 'vendor', 'gamma', 'devstack'), { recursive: true })
    mkdirSync(join(dest, 'alpha', 'vendor', 'gamma', '.git'))
    writeFileSync(join(dest, 'alpha', 'vendor', 'gamma', 'devstack', 'settings'), 'define_plugin gamma\n')
    // A directory that is not a git checkout is not read either.
    mkdirSync(join(dest, 'loose', 'devstack'), { recursive: true })
    writeFileSync(join(dest, 'loose', 'devstack', 'settings'), 'define_plugin loose\n')
    // Nested one level down (src/opendev.org/...) is found.
    makePlugin(join(dest, 'src', 'delta'), 'delta', ['alpha'])
    const found = scanPluginSettings(dest)
    expect([...found.keys()].sort()).toEqual(['alpha', 'beta', 'delta'])
    expect(found.get('alpha')!.requires).toEqual(['beta'])
    expect(found.get('alpha')!.file).toBe(join(dest, 'alpha', 'devstack', 'settings'))
  })
})

describe('plugin order', () => {
  it('orders a chain topologically where the upstream role does not (a→b→c gives c, b, a)', () => {
    const dest = layout({ a: ['b'], b: ['c'], c: [] })
    const order = orderPlugins(spec('a', 'b', 'c'), scanPluginSettings(dest)).map((p) => p.name)
    expect(order).toEqual(['c', 'b', 'a'])
  })

  it('puts every requirement before its dependents and breaks ties alphabetically', () => {
    const dest = layout({
      'ironic-ui': ['ironic'],
      ironic: ['neutron-plugin'],
      'neutron-plugin': [],
      zeta: [],
      alpha: ['zeta', 'ironic'],
      'networking-baremetal': ['ironic', 'neutron-plugin'],
    })
    const plugins = spec('zeta', 'networking-baremetal', 'alpha', 'ironic-ui', 'ironic', 'neutron-plugin')
    const order = orderPlugins(plugins, scanPluginSettings(dest)).map((p) => p.name)
    expect(order).toEqual(['neutron-plugin', 'ironic', 'zeta', 'alpha', 'ironic-ui', 'networking-baremetal'])
    for (const [name, reqs] of Object.entries({ alpha: ['zeta', 'ironic'], 'ironic-ui': ['ironic'] })) {
      for (const r of reqs) expect(order.indexOf(r)).toBeLessThan(order.indexOf(name))
    }
  })

  it('keeps alphabetical order for plugins without settings (not yet cloned)', () => {
    expect(orderPlugins(spec('c', 'a', 'b'), new Map()).map((p) => p.name)).toEqual(['a', 'b', 'c'])
  })

  it('names the plugin, the missing requirement and the settings file', () => {
    const dest = layout({ ironic: ['neutron-plugin'] })
    const err = (() => {
      try {
        orderPlugins(spec('ironic'), scanPluginSettings(dest))
      } catch (e) {
        return e as ContractError
      }
    })()
    expect(err).toBeInstanceOf(ContractError)
    expect(err!.path).toBe('plugins.ironic')
    expect(err!.message).toContain("requires plugin 'neutron-plugin'")
    expect(err!.message).toContain(join(dest, 'ironic', 'devstack', 'settings'))
  })

  it('reports a cycle with its members and their settings files', () => {
    const dest = layout({ a: ['b'], b: ['c'], c: ['a'], d: [] })
    expect(() => orderPlugins(spec('a', 'b', 'c', 'd'), scanPluginSettings(dest))).toThrow(
      /dependency cycle among plugins: a -> b -> c -> a \(plugin_requires in .*a\/devstack\/settings, .*b\/devstack\/settings, .*c\/devstack\/settings\)/,
    )
  })

  it('a repo without devstack/settings is simply not a plugin', () => {
    const dest = tempDir()
    makeRepo(join(dest, 'nova'), { 'setup.py': '' })
    expect(scanPluginSettings(dest).size).toBe(0)
  })
})
