import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FIXTURES, PYTHON } from './reference.js'

/** Copies the sample unittest project to a temp dir (stestr writes .stestr/ next to it). */
export function sampleProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stackci-sample-'))
  cpSync(join(FIXTURES, 'sample-project'), dir, { recursive: true })
  return dir
}

/** A real `stestr run --subunit` over the sample project: the stream stestr writes to stdout. */
export function stestrStream(dir = sampleProject(), args: string[] = []): Buffer {
  // stestr exits 1 when tests fail; the stream is still complete.
  try {
    return execFileSync(PYTHON, ['-m', 'stestr', 'run', '--subunit', ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
  } catch (e) {
    const out = (e as { stdout?: Buffer }).stdout
    if (out?.length) return out
    throw e
  }
}
