import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ContractError } from '@stackci/model'
import { describe, expect, it } from 'vitest'
import {
  BASE_LOCALRC,
  buildLocalConf,
  parseJob,
  parseJobYaml,
  renderLocalConf,
  resolveVariables,
  scanPluginSettings,
  type LocalConf,
} from '../src/index.js'
import { sourceLocalrc } from './bash-source.js'
import { makePlugin, tempDir } from './git-fixtures.js'

const PASSWORDS = {
  ADMIN_PASSWORD: 'secretadmin',
  DATABASE_PASSWORD: 'secretdatabase',
  RABBIT_PASSWORD: 'secretrabbit',
  SERVICE_PASSWORD: 'secretservice',
}
const EXAMPLES = resolve(import.meta.dirname, '../../../workflows/examples/devstack')

/** Every variable bash ends up with must be what the model says, and nothing else may be set. */
function expectBashAgrees(conf: LocalConf, env: Record<string, string> = {}): Map<string, string> {
  const text = renderLocalConf(conf)
  const { vars } = sourceLocalrc(text, env)
  const expected = resolveVariables(conf.variables, (n) => env[n])
  for (const line of conf.localrc) {
    const m = /^(LIBS_FROM_GIT|TEMPEST_PLUGINS|ENABLED_SERVICES)="?([^"]*)"?$/.exec(line)
    if (m) expected.set(m[1]!, m[2]!)
  }
  for (const [k, v] of Object.entries(env)) if (!expected.has(k)) expected.set(k, v)
  expect(Object.fromEntries(vars)).toEqual(Object.fromEntries(expected))
  return vars
}

describe('local.conf rendering', () => {
  it('writes services, variables (referenced first), LIBS_FROM_GIT, TEMPEST_PLUGINS, plugins, then meta-sections', () => {
    const job = parseJob({
      localrc: { ...PASSWORDS, LOGFILE: '$DEST/logs/x.log', DEST: '/opt/stack', A_FIRST: 'plain' },
      services: { base: ['key', 'mysql'], enable: ['tempest'], disable: ['horizon'] },
      plugins: { ironic: 'https://opendev.org/openstack/ironic' },
      tempest_plugins: ['ironic-tempest-plugin'],
      projects: { 'openstack/ironic': '.' },
      required_projects: ['openstack/nova'],
      local_conf: {
        'post-config': { $NOVA_CONF: { DEFAULT: { debug: true } } },
        'test-config': { $TEMPEST_CONFIG: { compute: { min_microversion: 2.1 } } },
      },
    })
    const conf = buildLocalConf(job, { baseLocalrc: false })
    expect(renderLocalConf(conf)).toBe(
      [
        '[[local|localrc]]',
        'ENABLED_SERVICES=key,mysql',
        'enable_service tempest',
        'disable_service horizon',
        'ADMIN_PASSWORD="secretadmin"',
        'A_FIRST="plain"',
        'DATABASE_PASSWORD="secretdatabase"',
        'DEST="/opt/stack"',
        'LOGFILE="$DEST/logs/x.log"',
        'RABBIT_PASSWORD="secretrabbit"',
        'SERVICE_PASSWORD="secretservice"',
        'LIBS_FROM_GIT="nova,ironic"',
        'TEMPEST_PLUGINS="/opt/stack/ironic-tempest-plugin"',
        'enable_plugin ironic https://opendev.org/openstack/ironic',
        '',
        '[[post-config|$NOVA_CONF]]',
        '[DEFAULT]',
        'debug = True',
        '',
        '[[test-config|$TEMPEST_CONFIG]]',
        '[compute]',
        'min_microversion = 2.1',
        '',
      ].join('\n'),
    )
    expectBashAgrees(conf)
  })

  it('puts a referenced variable first, transitively, even when it sorts later', () => {
    const job = parseJob({
      localrc: { ...PASSWORDS, A: '${B}/a', B: '$C/b', C: '/c', Z: 'z' },
    })
    const names = buildLocalConf(job, { baseLocalrc: false }).variables.map(([k]) => k)
    expect(names.indexOf('C')).toBeLessThan(names.indexOf('B'))
    expect(names.indexOf('B')).toBeLessThan(names.indexOf('A'))
    expect(names[0]).toBe('C')
    const vars = expectBashAgrees(buildLocalConf(job, { baseLocalrc: false }))
    expect(vars.get('A')).toBe('/c/b/a')
  })

  it('quotes values so bash reads back exactly what the job wrote', () => {
    const nasty = {
      DQ: 'say "hi"',
      BACKSLASH: 'C:\\temp\\new',
      BACKQUOTE: '`id`',
      SUBSHELL: '$(touch /tmp/stackci-pwned)',
      DOLLARS: '$$ $1 $ $? end$',
      SINGLE: "it's",
      GLOB: '* ? [a-z]',
      TILDE: '~/x',
      BANG: 'hello!world',
      SPACES: '  two  spaces  ',
      EMPTY: '',
      UNICODE: 'ünïcødé ✓',
      LITERAL: 'cost \\$HOME',
      SEMI: 'a; rm -rf /; b',
      HASH: 'a # not a comment',
      SELF: '$SELF:more',
      REF: '${DEST}/x and $DEST_DIR',
      ADMIN_PASSWORD: 'pa"ss\\w$(x)`o`rd',
    }
    const job = parseJob({ localrc: { ...PASSWORDS, ...nasty } })
    const conf = buildLocalConf(job, { dest: '/srv/stack' })
    const vars = expectBashAgrees(conf, { SELF: 'before' })
    expect(vars.get('DQ')).toBe('say "hi"')
    expect(vars.get('SUBSHELL')).toBe('$(touch /tmp/stackci-pwned)')
    expect(vars.get('DOLLARS')).toBe('$$ $1 $ $? end$')
    expect(vars.get('LITERAL')).toBe('cost $HOME')
    expect(vars.get('SELF')).toBe('before:more')
    expect(vars.get('REF')).toBe('/srv/stack/x and ')
    expect(vars.get('ADMIN_PASSWORD')).toBe('pa"ss\\w$(x)`o`rd')
    expect(vars.get('LOGFILE')).toBe('/srv/stack/logs/devstacklog.txt')
    expect(conf.resolved.get('LOGFILE')).toBe('/srv/stack/logs/devstacklog.txt')
    expect(conf.resolved.get('REF')).toBe('/srv/stack/x and ')
    expect(conf.warnings).toEqual([])
  })

  it('turns YAML booleans and numbers into what Python str() gives the upstream role', () => {
    const conf = buildLocalConf(parseJobYaml(`localrc: {A: true, B: false, C: 1800, D: 2.5, ${pw()}}`), {
      baseLocalrc: false,
    })
    const vars = expectBashAgrees(conf)
    expect([vars.get('A'), vars.get('B'), vars.get('C'), vars.get('D')]).toEqual([
      'True',
      'False',
      '1800',
      '2.5',
    ])
  })

  it('adds the devstack-base logging defaults and DEST, letting the job override them', () => {
    const conf = buildLocalConf(parseJob({ localrc: { ...PASSWORDS, VERBOSE: false } }), {
      dest: '/srv/stack',
      errorOnClone: true,
    })
    const vars = expectBashAgrees(conf)
    expect(vars.get('DEST')).toBe('/srv/stack')
    expect(vars.get('ERROR_ON_CLONE')).toBe('True')
    expect(vars.get('VERBOSE')).toBe('False')
    expect(vars.get('LOG_COLOR')).toBe(BASE_LOCALRC.LOG_COLOR)
    expect(() =>
      buildLocalConf(parseJob({ localrc: { ...PASSWORDS, DEST: '/opt/other' } }), { dest: '/srv/stack' }),
    ).toThrow(/localrc.DEST: '\/opt\/other' disagrees with the dest setting '\/srv\/stack'/)
  })

  it('disables all services when base is false, and leaves devstack’s default set alone when absent', () => {
    const off = buildLocalConf(parseJob({ localrc: PASSWORDS, services: { base: false, enable: ['key'] } }))
    expect(off.localrc.slice(0, 2)).toEqual(['disable_all_services', 'enable_service key'])
    const { calls } = sourceLocalrc(renderLocalConf(off))
    expect(calls).toEqual(['disable_all_services', 'enable_service key'])
    const keep = buildLocalConf(parseJob({ localrc: PASSWORDS, services: { disable: ['horizon'] } }))
    expect(keep.localrc[0]).toBe('disable_service horizon')
  })

  it('resolves the variables with devstack’s DEST and TOP_DIR, as stack.sh sees them', () => {
    const conf = buildLocalConf(parseJob({ localrc: { ...PASSWORDS, LOGFILE: '$TOP_DIR/stack.log' } }), {
      dest: '/srv/stack',
    })
    expect(conf.resolved.get('LOGFILE')).toBe('/srv/stack/devstack/stack.log')
    expect(
      expectBashAgrees(conf, { DEST: '/srv/stack', TOP_DIR: '/srv/stack/devstack' }).get('LOGFILE'),
    ).toBe('/srv/stack/devstack/stack.log')
  })

  it('keeps the job’s own LIBS_FROM_GIT and TEMPEST_PLUGINS, with a warning for the ignored list', () => {
    const conf = buildLocalConf(
      parseJob({
        localrc: { ...PASSWORDS, LIBS_FROM_GIT: 'oslo.config', TEMPEST_PLUGINS: '/x' },
        projects: { 'openstack/ironic': '.' },
        tempest_plugins: ['ironic-tempest-plugin'],
      }),
    )
    expect(conf.localrc.filter((l) => l.startsWith('LIBS_FROM_GIT'))).toEqual(['LIBS_FROM_GIT="oslo.config"'])
    expect(conf.warnings).toEqual([expect.stringContaining('TEMPEST_PLUGINS is set, so tempest_plugins')])
  })

  it('names projects and tempest plugins written with a trailing slash by their directory', () => {
    const conf = buildLocalConf(
      parseJob({
        localrc: PASSWORDS,
        required_projects: ['openstack/nova/'],
        projects: { 'openstack/ironic/': '.' },
        tempest_plugins: ['openstack/ironic-tempest-plugin/'],
      }),
    )
    expect(conf.localrc).toContain('LIBS_FROM_GIT="nova,ironic"')
    expect(conf.localrc).toContain('TEMPEST_PLUGINS="/opt/stack/ironic-tempest-plugin"')
  })

  it('warns about a lowercase reference, which is almost always a literal dollar in a password', () => {
    const conf = buildLocalConf(parseJob({ localrc: { ...PASSWORDS, ADMIN_PASSWORD: 'pa$word' } }))
    expect(conf.warnings).toEqual([expect.stringMatching(/localrc.ADMIN_PASSWORD references \$word/)])
  })

  it('rejects a reference cycle naming a variable in it', () => {
    const job = parseJob({ localrc: { ...PASSWORDS, X: '$Y', Y: '$X' } })
    expect(() => buildLocalConf(job)).toThrow(ContractError)
    expect(() => buildLocalConf(job)).toThrow(
      /localrc.X: dependency cycle among localrc variables: X -> Y -> X/,
    )
  })

  it('collects every form a secret takes, and the ini options that hold secrets', () => {
    const conf = buildLocalConf(
      parseJob({
        localrc: {
          ...PASSWORDS,
          SERVICE_PASSWORD: '$ADMIN_PASSWORD',
          SWIFT_TEMPURL_KEY: 'k"ey1',
          PUBLIC_NAME: 'visible',
        },
        local_conf: { 'post-config': { $NOVA_CONF: { ironic: { password: 'ini-secret', user: 'nova' } } } },
      }),
    )
    expect(conf.secrets).toEqual(
      expect.arrayContaining(['secretadmin', 'secretdatabase', 'k"ey1', 'k\\"ey1', 'ini-secret']),
    )
    expect(conf.secrets).not.toContain('visible')
    expect(conf.secrets).not.toContain('nova')
    expect(conf.secrets).not.toContain('$ADMIN_PASSWORD')
  })
})

describe('the example jobs', () => {
  it('renders the astara appliance job with its plugin and every variable as bash reads it', () => {
    const job = parseJobYaml(
      readFileSync(join(EXAMPLES, 'astara-appliance.yaml'), 'utf8'),
      'astara-appliance.yaml',
    )
    expect(job.projects.map((p) => p.shortName)).toEqual(['astara', 'astara-appliance', 'astara-neutron'])
    const dest = tempDir()
    makePlugin(join(dest, 'astara'), 'astara')
    const conf = buildLocalConf(job, { pluginSettings: scanPluginSettings(dest) })
    const text = renderLocalConf(conf)
    expect(conf.localrc.at(-1)).toBe('enable_plugin astara https://opendev.org/openstack/astara')
    expect(text).toContain('LIBS_FROM_GIT="astara,astara-appliance,astara-neutron"\n')
    expect(text).toContain('[[post-config|$NEUTRON_CONF]]\n[DEFAULT]\ndebug = True\n')
    const vars = expectBashAgrees(conf, {
      DEST: '/opt/stack',
      TOP_DIR: '/opt/stack/devstack',
      STACKCI_APPLIANCE_IMAGE: '/runner/_temp/astara_appliance.qcow2',
    })
    expect(vars.get('BUILD_ASTARA_APPLIANCE_IMAGE')).toBe('False')
    expect(vars.get('ASTARA_DEV_APPLIANCE_URL')).toBe('file:///runner/_temp/astara_appliance.qcow2')
    expect(vars.get('ASTARA_DEV_APPLIANCE_FILE')).toBe('/opt/stack/devstack/files/astara.qcow2')
    expect(conf.warnings).toEqual([])
  })

  it('renders the ironic redfish driver job as ironic-base does, with the hardware type loaded', () => {
    const job = parseJobYaml(readFileSync(join(EXAMPLES, 'ironic-redfish-driver.yaml'), 'utf8'), 'ironic')
    const conf = buildLocalConf(job, { errorOnClone: true })
    const vars = expectBashAgrees(conf, { DEST: '/opt/stack' })
    expect(vars.get('IRONIC_DEPLOY_DRIVER')).toBe('redfish')
    expect(vars.get('IRONIC_ENABLED_HARDWARE_TYPES')).toBe('redfish')
    expect(vars.get('VIRT_DRIVER')).toBe('ironic')
    expect(vars.get('ERROR_ON_CLONE')).toBe('True')
    expect(vars.get('TEMPEST_PLUGINS')).toBe('/opt/stack/ironic-tempest-plugin')
    expect(vars.get('LIBS_FROM_GIT')).toBe(
      'diskimage-builder,ironic,ironic-python-agent,ironic-python-agent-builder,ironic-tempest-plugin,virtualbmc',
    )
    expect(conf.secrets).toEqual(expect.arrayContaining(['secretkey', 'secretadmin']))
    const text = renderLocalConf(conf)
    expect(text.indexOf('enable_plugin ironic')).toBeGreaterThan(text.indexOf('TEMPEST_PLUGINS='))
    expect(text).toContain('[[post-config|$IRONIC_CONF_FILE]]\n[redfish]\nconnection_attempts = 5\n')
  })
})

function pw(): string {
  return Object.entries(PASSWORDS)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ')
}
