import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** packages/cli/sample/project: the demo's Gerrit project, a router service with a tempest-style suite. */
export const SAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../sample/project')

export const SAMPLE = {
  project: 'demo/router',
  branch: 'master',
  ciAccount: { username: 'demo-ci', name: 'Demo Router CI' },
  developer: { username: 'alice', name: 'Alice Developer' },
  pipeline: 'check',
  job: 'demo-router-devstack-tempest',
  /** The tempest selection the job runs (a regex, as `tempest run --regex`). */
  testRegex: 'demo_appliance\\.tests\\.(api|scenario)',
  /** Changes under these paths build a new appliance image; the demo's change does not touch them. */
  appliancePaths: ['appliance/**', 'elements/**'],
  irrelevantFiles: ['doc/**', '**/*.rst', 'releasenotes/**'],
  imageName: 'demo-router-appliance',
  footer: 'This is the stackci demo CI: see https://github.com/stackci/stackci for what it runs.',
  /** The GitHub repository (on the GitHub test server) whose workflow watch-gerrit dispatches. */
  ciRepository: 'stackci/demo-router-ci',
  ciRef: 'main',
}

/**
 * The workflow file watch-gerrit dispatches, registered with the GitHub test server as GitHub
 * would: its run-name titles the runs, and the next poll recognises a running change by that
 * title.
 */
export const CI_WORKFLOW = join(SAMPLE_DIR, '../../../../workflows/check.yml')

/** Every file of the sample project, for createProject. */
export function sampleFiles(): Record<string, string> {
  const files: Record<string, string> = {}
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === '.stestr' || name === '__pycache__') continue
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else files[relative(SAMPLE_DIR, path)] = readFileSync(path, 'utf8')
    }
  }
  walk(SAMPLE_DIR)
  return files
}

/** The change Alice uploads: route withdrawal, with its test; the xfail test now passes as a plain test. */
export function sampleChange(files: Record<string, string>): {
  subject: string
  files: Record<string, string>
} {
  const router = files['demo_appliance/router.py']!
  const tests = files['demo_appliance/tests/api/test_routers.py']!
  if (!router.includes('def lookup') || !tests.includes('def test_route_withdrawal')) {
    throw new Error('the sample project changed: sampleChange() no longer applies')
  }
  return {
    subject: 'Allow withdrawing a route',
    files: {
      'demo_appliance/router.py':
        router + '\n    def withdraw_route(self, destination):\n        self.routes.pop(destination, None)\n',
      'demo_appliance/tests/api/test_routers.py': tests
        .replace('    @unittest.expectedFailure\n', '')
        .replace('        # Known bug: routes cannot be withdrawn yet.\n', '')
        .replace(
          "        self.assertIsNone(r.lookup('0.0.0.0/0'))",
          "        r.withdraw_route('0.0.0.0/0')\n        self.assertIsNone(r.lookup('0.0.0.0/0'))",
        )
        .replace('import unittest\n\n', ''),
    },
  }
}

/** The devstack job description of the demo (what a consuming repository keeps in its tree). */
export function sampleDevstackJob(checkout: string): string {
  return `name: demo-router-devstack
description: devstack with the router service from the change under test
localrc:
  ADMIN_PASSWORD: demo-admin-secret
  DATABASE_PASSWORD: demo-db-secret
  RABBIT_PASSWORD: demo-rabbit-secret
  SERVICE_PASSWORD: demo-service-secret
  LIBVIRT_TYPE: qemu
  DEMO_ROUTER_APPLIANCE_IMAGE: $DEST/images/demo-router-appliance.qcow2
services:
  enable: [q-svc, q-agt, q-dhcp, q-meta, tempest]
  disable: [n-net]
local_conf:
  test-config:
    $TEMPEST_CONFIG:
      network-feature-enabled:
        ipv6: false
projects:
  demo/router: ${JSON.stringify(checkout)}
`
}
