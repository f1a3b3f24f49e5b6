import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { ImageManifest } from '@stackci/model'
import { CommandError, ImageError } from './errors.js'
import { imageFileNames, writeSha256AndManifest } from './image-files.js'
import { capture, runProcess, type ProcessRunner } from './process.js'
import { sha256File } from './sha256.js'

/** The change under test, handed to the source-repositories element. */
export interface DibSource {
  /** The name in the element's `source-repository-*` file (e.g. `astara`). */
  repoName: string
  /** The checked-out change (a git work tree). */
  path: string
  /** Branch created at HEAD so the ref is reachable from a head, as source-repositories needs. */
  branch?: string
}

export interface DibBuildOptions {
  imageName: string
  version: string
  outputDir: string
  elements: string[]
  /** ELEMENTS_PATH entries. */
  elementsPath?: string[]
  /** -t: qcow2 (default), raw, vhd, ... */
  format?: string
  /** --image-size, in GB. */
  imageSizeGb?: number
  /** Extra DIB_* (and other) variables; they win over what is derived here. */
  env?: Record<string, string>
  source?: DibSource
  onLine?: (line: string) => void
  signal?: AbortSignal
  /** Environment the build starts from (default process.env). */
  baseEnv?: NodeJS.ProcessEnv
  command?: string
}

export interface DibBuildResult {
  imagePath: string
  sha256Path: string
  manifestPath: string
  manifest: ImageManifest
  /** Kernel and initrd when an element (baremetal) extracted them. */
  kernelPath?: string
  initrdPath?: string
}

/**
 * A single ext4 filesystem on a loop device, no partition table: what builds where there is no
 * device-mapper (kpartx fails), such as containers and most CI runners. Boot it with its kernel
 * and initrd (the `baremetal` element) and `root=LABEL=cloudimg-rootfs`.
 */
export const SINGLE_FILESYSTEM_BLOCK_DEVICE = `- local_loop:
    name: image0
- mkfs:
    name: mkfs_root
    base: image0
    type: ext4
    label: cloudimg-rootfs
    mount:
      mount_point: /
      fstab:
        options: defaults
        fsck-passno: 1
`

/** source-repositories turns characters outside [A-Za-z0-9_] into `_` in DIB_REPO*_<name>. */
export function dibRepoVariable(kind: 'LOCATION' | 'REF' | 'TYPE', repoName: string): string {
  return `DIB_REPO${kind}_${repoName.replace(/[^A-Za-z0-9_]/g, '_')}`
}

export function dibArguments(o: DibBuildOptions): string[] {
  const format = o.format ?? 'qcow2'
  const args = ['-t', format, '-o', join(o.outputDir, o.imageName)]
  if (o.imageSizeGb !== undefined) args.push('--image-size', String(o.imageSizeGb))
  if (o.elements.length === 0)
    throw new ImageError('elements: at least one element (a distribution) is needed')
  return [...args, ...o.elements]
}

/** Environment of the build: ELEMENTS_PATH, the change's location and ref, then the caller's extras. */
export function dibEnvironment(o: DibBuildOptions, ref?: string): Record<string, string> {
  const env: Record<string, string> = {}
  if (o.elementsPath?.length) env.ELEMENTS_PATH = o.elementsPath.join(':')
  if (o.source) {
    env[dibRepoVariable('LOCATION', o.source.repoName)] = o.source.path
    if (ref) env[dibRepoVariable('REF', o.source.repoName)] = ref
  }
  return { ...env, ...o.env }
}

/**
 * A checkout made by actions/checkout is a detached HEAD; source-repositories fetches
 * `+REF:REF`, which a bare SHA may fail, and then only heads and tags. A branch at HEAD makes the
 * change reachable; its name is the ref.
 */
export async function prepareSource(
  source: DibSource,
  runner: ProcessRunner = runProcess,
): Promise<{ ref: string; commit: string }> {
  const branch = source.branch ?? 'stackci-image-build'
  const commit = await capture(runner, 'git', ['-C', source.path, 'rev-parse', 'HEAD']).catch((e: Error) => {
    throw new ImageError(`source path ${source.path} is not a git checkout with a commit: ${e.message}`)
  })
  await capture(runner, 'git', ['-C', source.path, 'branch', '-f', branch, commit])
  return { ref: branch, commit }
}

export async function diskimageBuilderVersion(
  runner: ProcessRunner = runProcess,
  command = 'disk-image-create',
): Promise<string> {
  return capture(runner, command, ['--version'])
}

/** Runs disk-image-create and writes the image's .sha256 and manifest next to it. */
export async function buildImage(
  o: DibBuildOptions,
  runner: ProcessRunner = runProcess,
): Promise<DibBuildResult> {
  const command = o.command ?? 'disk-image-create'
  const format = o.format ?? 'qcow2'
  const names = imageFileNames(o.imageName, format)
  const source = o.source ? await prepareSource(o.source, runner) : undefined
  const dibVersion = await diskimageBuilderVersion(runner, command).catch((e: Error) => {
    throw new ImageError(`diskimage-builder is not usable (${command} --version): ${e.message}`)
  })
  const env = { ...(o.baseEnv ?? process.env), ...dibEnvironment(o, source?.ref) }
  const started = new Date()
  const { exitCode, tail } = await runner(command, dibArguments(o), {
    env,
    ...(o.onLine ? { onLine: o.onLine } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  })
  if (exitCode !== 0) throw new CommandError(command, exitCode, `last lines:\n${tail.slice(-15).join('\n')}`)

  const imagePath = join(o.outputDir, names.image)
  const { sha256, size } = await sha256File(imagePath).catch((e: Error) => {
    throw new ImageError(`${command} succeeded but left no ${imagePath}: ${e.message}`)
  })
  const manifest: ImageManifest = {
    name: o.imageName,
    version: o.version,
    sourceCommit: source?.commit ?? '',
    elements: o.elements,
    diskimageBuilderVersion: dibVersion,
    buildTime: started.toISOString(),
    format,
    sizeBytes: size,
    sha256,
  }
  const { sha256Path, manifestPath } = await writeSha256AndManifest(o.outputDir, manifest)
  const result: DibBuildResult = { imagePath, sha256Path, manifestPath, manifest }
  const kernel = join(o.outputDir, `${o.imageName}.vmlinuz`)
  const initrd = join(o.outputDir, `${o.imageName}.initrd`)
  if ((await isFile(kernel)) && (await isFile(initrd)))
    Object.assign(result, { kernelPath: kernel, initrdPath: initrd })
  return result
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  )
}
