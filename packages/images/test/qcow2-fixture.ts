import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ImageManifest } from '@stackci/model'
import { sha256File } from '../src/sha256.js'

export function tempDir(prefix = 'stackci-images-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** A real qcow2 (qemu-img convert of random raw data), so sizes and digests are those of an image. */
export function makeQcow2(dir: string, name: string, megabytes = 2): string {
  const raw = join(dir, `${name}.raw`)
  writeFileSync(raw, randomBytes(megabytes << 20))
  const out = join(dir, `${name}.qcow2`)
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, out])
  rmSync(raw)
  return out
}

export async function manifestFor(path: string, name: string, version: string): Promise<ImageManifest> {
  const { sha256, size } = await sha256File(path)
  return {
    name,
    version,
    sourceCommit: 'a'.repeat(40),
    elements: ['debian-minimal', 'baremetal', 'stackci-appliance'],
    diskimageBuilderVersion: '3.13.0',
    buildTime: '2026-11-21T23:00:00.000Z',
    format: 'qcow2',
    sizeBytes: size,
    sha256,
  }
}
