import type { PublishBackend } from './publish-backend.js'

/**
 * Keeps the newest `keep` published versions and deletes the rest, oldest first. The latest
 * version is never deleted, even when make_latest=false publishes pushed it out of the newest.
 */
export async function pruneVersions(backend: PublishBackend, keep: number): Promise<string[]> {
  if (!Number.isInteger(keep) || keep < 1)
    throw new Error(`keep-versions must be an integer ≥ 1, got ${keep}`)
  const versions = await backend.listVersions()
  const latest = (await backend.resolve().catch(() => undefined))?.version
  const doomed = versions.slice(keep).filter((v) => v !== latest)
  for (const v of [...doomed].reverse()) await backend.deleteVersion(v)
  return doomed
}
