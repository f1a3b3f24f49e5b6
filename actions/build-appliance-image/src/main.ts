import * as core from '@actions/core'
import { decideImage } from '@stackci/pipeline'
import { buildFromChange } from './build.js'
import { readInputs } from './inputs.js'
import { reusePublished } from './reuse.js'

export async function run(): Promise<void> {
  try {
    const s = readInputs()
    const decision = decideImage({
      changedFiles: s.changedFiles,
      appliancePaths: s.appliancePaths,
      mode: s.mode,
    })
    core.info(`image: ${decision.action} — ${decision.reason}`)
    core.setOutput('reason', decision.reason)
    const rows: [string, string][] = []
    let source: string
    if (decision.action === 'build') {
      const { build, boot } = await buildFromChange(s)
      source = 'built'
      core.setOutput('image-path', build.imagePath)
      core.setOutput('manifest-path', build.manifestPath)
      core.setOutput('version', build.manifest.version)
      core.setOutput('sha256', build.manifest.sha256)
      if (build.kernelPath) core.setOutput('kernel-path', build.kernelPath)
      if (build.initrdPath) core.setOutput('initrd-path', build.initrdPath)
      rows.push(
        ['version', build.manifest.version],
        ['source commit', build.manifest.sourceCommit || '(none)'],
        ['elements', build.manifest.elements.join(' ')],
        ['diskimage-builder', build.manifest.diskimageBuilderVersion],
        ['size', `${build.manifest.sizeBytes} bytes`],
        ['sha256', `<code>${build.manifest.sha256}</code>`],
      )
      if (boot)
        rows.push([
          'boot-check',
          `${boot.accel}, "${boot.markerLine}" after ${(boot.durationMs / 1000).toFixed(0)} s`,
        ])
    } else {
      const r = await reusePublished(s)
      source = s.version ? 'release' : 'latest'
      core.setOutput('image-path', r.path)
      core.setOutput('manifest-path', r.manifestPath)
      core.setOutput('version', r.image.version)
      core.setOutput('sha256', r.image.manifest.sha256)
      rows.push(
        ['version', r.image.version],
        ['from', r.image.imageUrl],
        ['source commit', r.image.manifest.sourceCommit || '(none)'],
        ['sha256', `<code>${r.image.manifest.sha256}</code> (verified${r.cacheHit ? ', tool cache' : ''})`],
      )
    }
    core.setOutput('image-source', source)
    await core.summary
      .addHeading(`Appliance image: ${source}`, 3)
      .addRaw(`${decision.reason}\n\n`)
      .addTable([
        [
          { data: '', header: true },
          { data: s.imageName, header: true },
        ],
        ...rows,
      ])
      .write()
  } catch (e) {
    core.setFailed((e as Error).message)
  }
}
