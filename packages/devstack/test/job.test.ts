import { ContractError } from '@stackci/model'
import { describe, expect, it } from 'vitest'
import { devstackRefFor, parseJob, parseJobYaml } from '../src/index.js'

const PASSWORDS = {
  ADMIN_PASSWORD: 'a-secret',
  DATABASE_PASSWORD: 'd-secret',
  RABBIT_PASSWORD: 'r-secret',
  SERVICE_PASSWORD: 's-secret',
}

function errorOf(doc: unknown): ContractError {
  try {
    parseJob(doc, 'job.yaml')
  } catch (e) {
    if (e instanceof ContractError) return e
    throw e
  }
  throw new Error('expected a ContractError')
}

describe('job description validation', () => {
  it('parses the full shape', () => {
    const job = parseJobYaml(`
name: ironic-driver
localrc: {ADMIN_PASSWORD: a-secret, DATABASE_PASSWORD: d-secret, RABBIT_PASSWORD: r-secret, SERVICE_PASSWORD: s-secret}
plugins:
  ironic: https://opendev.org/openstack/ironic
  networking-baremetal: {url: https://opendev.org/openstack/networking-baremetal, ref: stable/2024.1}
services: {base: [key, mysql], enable: [ir-api], disable: [horizon]}
tempest_plugins: [ironic-tempest-plugin]
projects:
  openstack/ironic: ./ironic
  openstack/ironic-lib: {path: /src/ironic-lib}
required_projects: [openstack/nova]
local_conf:
  post-config:
    $IRONIC_CONF_FILE: {DEFAULT: {debug: true}}
`)
    expect(job.name).toBe('ironic-driver')
    expect(job.plugins).toEqual([
      { name: 'ironic', url: 'https://opendev.org/openstack/ironic' },
      {
        name: 'networking-baremetal',
        url: 'https://opendev.org/openstack/networking-baremetal',
        ref: 'stable/2024.1',
      },
    ])
    expect(job.services).toEqual({ base: ['key', 'mysql'], enable: ['ir-api'], disable: ['horizon'] })
    expect(job.projects).toEqual([
      { name: 'openstack/ironic', shortName: 'ironic', path: './ironic' },
      { name: 'openstack/ironic-lib', shortName: 'ironic-lib', path: '/src/ironic-lib' },
    ])
    expect(job.requiredProjects).toEqual([
      { name: 'openstack/nova', shortName: 'nova', url: 'https://opendev.org/openstack/nova.git' },
    ])
    expect(job.localConf).toEqual([
      {
        phase: 'post-config',
        file: '$IRONIC_CONF_FILE',
        sections: [{ name: 'DEFAULT', options: [['debug', 'True']] }],
      },
    ])
  })

  it('takes required projects as names (devstack’s GIT_BASE URL) or with their own URL and ref', () => {
    const job = parseJob({
      localrc: { ...PASSWORDS, GIT_BASE: 'https://mirror.example.org/' },
      required_projects: [
        'openstack/nova',
        { name: 'x/vendor-driver', url: 'https://git.example.com/vendor-driver', ref: 'stable/2024.1' },
      ],
    })
    expect(job.requiredProjects).toEqual([
      { name: 'openstack/nova', shortName: 'nova', url: 'https://mirror.example.org/openstack/nova.git' },
      {
        name: 'x/vendor-driver',
        shortName: 'vendor-driver',
        url: 'https://git.example.com/vendor-driver',
        ref: 'stable/2024.1',
      },
    ])
  })

  const cases: [string, unknown, string, RegExp][] = [
    ['an unknown top-level key', { localrc: PASSWORDS, pluginz: {} }, 'job.yaml.pluginz', /unknown key/],
    [
      'a bad variable name',
      { localrc: { ...PASSWORDS, 'BAD-NAME': 1 } },
      'job.yaml.localrc.BAD-NAME',
      /not a shell variable/,
    ],
    ['a null value', { localrc: { ...PASSWORDS, EMPTY: null } }, 'job.yaml.localrc.EMPTY', /has no value/],
    ['a list value', { localrc: { ...PASSWORDS, L: [1] } }, 'job.yaml.localrc.L', /got a list/],
    ['a multi-line value', { localrc: { ...PASSWORDS, M: 'a\nb' } }, 'job.yaml.localrc.M', /one line/],
    [
      '${VAR:-default}',
      { localrc: { ...PASSWORDS, D: '${X:-y}' } },
      'job.yaml.localrc.D',
      /only \$NAME and \$\{NAME\}/,
    ],
    [
      'a missing password',
      { localrc: { ADMIN_PASSWORD: 'x' } },
      'job.yaml.localrc.DATABASE_PASSWORD',
      /prompts/,
    ],
    [
      'the local phase',
      { localrc: PASSWORDS, local_conf: { local: {} } },
      'job.yaml.local_conf.local',
      /localrc/,
    ],
    [
      'an unknown phase',
      { localrc: PASSWORDS, local_conf: { 'post-confg': {} } },
      'job.yaml.local_conf.post-confg',
      /unknown phase/,
    ],
    [
      'a file name with a space',
      { localrc: PASSWORDS, local_conf: { extra: { '$NOVA CONF': {} } } },
      'job.yaml.local_conf.extra.$NOVA CONF',
      /spaces/,
    ],
    [
      'an ini key with =',
      { localrc: PASSWORDS, local_conf: { extra: { $F: { DEFAULT: { 'a=b': 1 } } } } },
      'job.yaml.local_conf.extra.$F.DEFAULT.a=b',
      /must not contain/,
    ],
    [
      'a plugin without url',
      { localrc: PASSWORDS, plugins: { p: { ref: 'x' } } },
      'job.yaml.plugins.p.url',
      /expected a string/,
    ],
    [
      'a plugin url with a space',
      { localrc: PASSWORDS, plugins: { p: 'http://a b' } },
      'job.yaml.plugins.p',
      /one word/,
    ],
    [
      'an unknown plugin key',
      { localrc: PASSWORDS, plugins: { p: { url: 'u', branch: 'x' } } },
      'job.yaml.plugins.p.branch',
      /unknown key/,
    ],
    [
      'a service in both lists',
      { localrc: PASSWORDS, services: { enable: ['a'], disable: ['a'] } },
      'job.yaml.services.enable',
      /both/,
    ],
    [
      'a duplicate tempest plugin',
      { localrc: PASSWORDS, tempest_plugins: ['x', 'x'] },
      'job.yaml.tempest_plugins',
      /twice/,
    ],
    [
      'a required project twice',
      { localrc: PASSWORDS, required_projects: ['openstack/nova', { name: 'other/nova', url: 'u' }] },
      'job.yaml.required_projects[1]',
      /'nova' is listed twice/,
    ],
    [
      'an unknown key of a required project',
      { localrc: PASSWORDS, required_projects: [{ name: 'a/b', url: 'u', branch: 'x' }] },
      'job.yaml.required_projects[0].branch',
      /unknown key/,
    ],
    [
      'a bad project name',
      { localrc: PASSWORDS, projects: { 'a b': '.' } },
      'job.yaml.projects.a b',
      /not a project name/,
    ],
    [
      'two projects in one $DEST dir',
      { localrc: PASSWORDS, projects: { 'openstack/ironic': 'a', 'x/ironic': 'b' } },
      'job.yaml.projects.x/ironic',
      /share \$DEST\/ironic/,
    ],
    [
      'RECLONE over a project under test',
      { localrc: { ...PASSWORDS, RECLONE: 'yes' }, projects: { 'openstack/ironic': '.' } },
      'job.yaml.localrc.RECLONE',
      /replace the projects under test/,
    ],
    [
      'a ref on a plugin under test',
      {
        localrc: PASSWORDS,
        projects: { 'openstack/ironic': '.' },
        plugins: { ironic: { url: 'u', ref: 'x' } },
      },
      'job.yaml.plugins.ironic.ref',
      /under test/,
    ],
  ]
  for (const [what, doc, path, message] of cases) {
    it(`names the key for ${what}`, () => {
      const e = errorOf(doc)
      expect(e.path).toBe(path)
      expect(e.message).toMatch(message)
    })
  }

  it('reports YAML syntax errors and duplicate keys with the file name', () => {
    expect(() => parseJobYaml('localrc: [', 'my-job.yaml')).toThrow(/my-job.yaml: not valid YAML/)
    expect(() => parseJobYaml('localrc: {A: 1, A: 2}', 'my-job.yaml')).toThrow(/my-job.yaml: not valid YAML/)
  })
})

describe('devstack branch for a change', () => {
  it('follows the change’s target branch, falling back to the eol tag, and master otherwise', () => {
    expect(devstackRefFor('master').candidates).toEqual(['master'])
    expect(devstackRefFor('main').candidates).toEqual(['master'])
    expect(devstackRefFor('feature/x').candidates).toEqual(['master'])
    expect(devstackRefFor('stable/2024.1')).toEqual({
      candidates: ['stable/2024.1', 'unmaintained/2024.1', '2024.1-eol'],
      series: '2024.1',
    })
    expect(devstackRefFor('refs/heads/unmaintained/zed').candidates).toEqual(['unmaintained/zed', 'zed-eol'])
    expect(
      devstackRefFor({
        kind: 'gerrit',
        gerritUrl: 'https://review.opendev.org',
        project: 'openstack/ironic',
        branch: 'stable/2023.2',
        change: 12345,
        patchset: 2,
        revision: 'a'.repeat(40),
        ref: 'refs/changes/45/12345/2',
      }).candidates[0],
    ).toBe('stable/2023.2')
    expect(() => devstackRefFor({ kind: 'github', repository: 'o/r', sha: 'abc' })).toThrow(/change.branch/)
  })
})
