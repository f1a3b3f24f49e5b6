import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { git, makeRepo } from '../../../packages/devstack/test/git-fixtures.js'

const FIXTURE = join(dirname(new URL(import.meta.url).pathname), 'fixtures', 'devstack')

/**
 * A scratch tree for one action run: a devstack remote (the fixture stack.sh on master and on
 * stable/2024.1), a plugin remote, the project under test checked out in the workspace, and an
 * /etc fixture. World-traversable, because the stack user must reach $DEST inside it.
 */
export function scratch(): {
  root: string
  workspace: string
  devstackRemote: string
  pluginRemote: string
  etc: string
  dest: string
  projectSha: string
} {
  const root = mkdtempSync(join(tmpdir(), 'stackci-setup-devstack-'))
  chmodSync(root, 0o755)
  const devstackRemote = join(root, 'remotes', 'devstack')
  mkdirSync(devstackRemote, { recursive: true })
  copyFileSync(join(FIXTURE, 'stack.sh'), join(devstackRemote, 'stack.sh'))
  chmodSync(join(devstackRemote, 'stack.sh'), 0o755)
  makeRepo(devstackRemote, { stackrc: '# master\n' })
  git(devstackRemote, 'checkout', '-q', '-b', 'stable/2024.1')
  writeFileSync(join(devstackRemote, 'stackrc'), '# stable/2024.1\n')
  git(devstackRemote, 'commit', '-q', '-am', 'stable branch')
  git(devstackRemote, 'checkout', '-q', 'master')

  const pluginRemote = join(root, 'remotes', 'baremetal-tempest-plugin')
  makeRepo(pluginRemote, {
    'devstack/settings':
      'define_plugin baremetal-tempest-plugin\nplugin_requires baremetal-tempest-plugin ironic\n',
    'devstack/plugin.sh': '# plugin\n',
  })
  // A required project that is neither under test nor a plugin: the action clones it, as Zuul would.
  makeRepo(join(root, 'remotes', 'virtualbmc'), { 'setup.cfg': '[metadata]\nname = virtualbmc\n' })
  const workspace = join(root, 'workspace')
  const project = join(workspace, 'ironic')
  makeRepo(project, {
    'devstack/settings': 'define_plugin ironic\n',
    'ironic/drivers/redfish.py': '# the change under test\n',
  })
  const projectSha = git(project, 'rev-parse', 'HEAD')
  const etc = join(root, 'etc')
  mkdirSync(join(etc, 'ironic'), { recursive: true })
  writeFileSync(join(etc, 'ironic', 'ironic.conf'), '[DEFAULT]\nauth_password = secretadmin\n')
  mkdirSync(join(etc, 'nova'))
  writeFileSync(
    join(etc, 'nova', 'nova.conf'),
    '[database]\nconnection = mysql://root:secretdatabase@db/nova\n',
  )
  return { root, workspace, devstackRemote, pluginRemote, etc, dest: join(root, 'opt', 'stack'), projectSha }
}

export const PASSWORDS = {
  ADMIN_PASSWORD: 'secretadmin',
  DATABASE_PASSWORD: 'secretdatabase',
  RABBIT_PASSWORD: 'secretrabbit',
  SERVICE_PASSWORD: 'secretservice',
}

/** The job description the tests run: ironic under test, a tempest plugin that requires it. */
export function jobYaml(pluginRemote: string, extra: Record<string, string> = {}): string {
  const localrc = { ...PASSWORDS, IRONIC_DEPLOY_DRIVER: 'redfish', ...extra }
  return [
    'name: fixture-job',
    'localrc:',
    ...Object.entries(localrc).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`),
    'services:',
    '  enable: [ir-api, ir-cond]',
    '  disable: [horizon]',
    'plugins:',
    `  baremetal-tempest-plugin: file://${pluginRemote}`,
    '  ironic: https://opendev.org/openstack/ironic',
    'projects:',
    '  openstack/ironic: ironic',
    'required_projects:',
    '  - openstack/ironic',
    '  - openstack/baremetal-tempest-plugin',
    `  - {name: openstack/virtualbmc, url: "file://${dirname(pluginRemote)}/virtualbmc"}`,
    'tempest_plugins: [baremetal-tempest-plugin]',
    'local_conf:',
    '  test-config:',
    '    $TEMPEST_CONFIG:',
    '      auth:',
    '        admin_password: secretadmin',
    '',
  ].join('\n')
}
