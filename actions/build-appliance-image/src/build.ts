import { execFileSync } from 'node:child_process'
import * as core from '@actions/core'
import { bootCheck, buildImage, type BootCheckResult, type DibBuildResult } from '@stackci/images'
import { InputError, type Settings } from './inputs.js'

/**
 * One log group per DIB phase: the phases run outside the chroot print "Running hooks from
 * <dir>/<phase>.d", those inside it show as dib-run-parts lines under /tmp/in_target.d/<phase>.d/.
 */
const PHASE = /(?:Running hooks from \S*\/([\w.-]+\.d)\s*$|dib-run-parts .*\/in_target\.d\/([\w-]+\.d)\/)/

export function dibPhase(line: string): string | undefined {
  const m = PHASE.exec(line)
  return m ? (m[1] ?? m[2]) : undefined
}

export function defaultBuildVersion(sourcePath: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '')
    .replace('T', '.')
  let short = 'nogit'
  try {
    short = execFileSync('git', ['-C', sourcePath, 'rev-parse', '--short=10', 'HEAD'], {
      encoding: 'utf8',
    }).trim()
  } catch {
    // not a git checkout: the version still names the build time
  }
  return `${stamp}-${short}`
}

export async function buildFromChange(
  s: Settings,
): Promise<{ build: DibBuildResult; boot?: BootCheckResult }> {
  if (s.elements.length === 0)
    throw new InputError(
      'elements',
      'building an image needs elements (e.g. "debian-minimal baremetal my-appliance")',
    )
  const version = s.buildVersion || defaultBuildVersion(s.sourcePath)
  let group = 'disk-image-create: start'
  core.startGroup(group)
  let build: DibBuildResult
  try {
    build = await buildImage({
      imageName: s.imageName,
      version,
      outputDir: s.outputDir,
      elements: s.elements,
      elementsPath: s.elementsPath,
      format: s.imageFormat,
      ...(s.imageSizeGb !== undefined ? { imageSizeGb: s.imageSizeGb } : {}),
      env: s.dibEnv,
      ...(s.repoName ? { source: { repoName: s.repoName, path: s.sourcePath } } : {}),
      onLine: (line) => {
        const phase = dibPhase(line)
        if (phase && `disk-image-create: ${phase}` !== group) {
          core.endGroup()
          group = `disk-image-create: ${phase}`
          core.startGroup(group)
        }
        core.info(line)
      },
    })
  } finally {
    core.endGroup()
  }
  core.info(`built ${build.imagePath} (${build.manifest.sizeBytes} bytes, sha256 ${build.manifest.sha256})`)
  if (!s.bootCheck) return { build }
  core.startGroup('boot-check')
  try {
    const boot = await bootCheck({
      image: build.imagePath,
      format: s.imageFormat,
      ...(build.kernelPath ? { kernel: build.kernelPath } : {}),
      ...(build.initrdPath ? { initrd: build.initrdPath } : {}),
      marker: s.bootMarker,
      timeoutMs: s.bootTimeoutMs,
      onConsole: (line) => core.info(line),
    })
    if (boot.kvmFallback) core.info(`KVM not used (${boot.kvmFallback}); booted under TCG`)
    return { build, boot }
  } finally {
    core.endGroup()
  }
}
