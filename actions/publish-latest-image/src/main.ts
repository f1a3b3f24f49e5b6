import { stat } from 'node:fs/promises'
import * as core from '@actions/core'
import { backendForLocation, pruneVersions, readManifest } from '@stackci/images'
import { InputError, readInputs } from './inputs.js'

export async function run(): Promise<void> {
  try {
    const s = readInputs()
    await stat(s.imagePath).catch(() => {
      throw new InputError('image-path', `${s.imagePath} does not exist`)
    })
    const manifest = await readManifest(s.manifestPath).catch((e: Error) => {
      throw new InputError('manifest-path', e.message)
    })
    const backend = backendForLocation(s.publishLocation, {
      ...(s.token ? { token: s.token } : {}),
      imageName: manifest.name,
      ...(s.targetCommitish ? { targetCommitish: s.targetCommitish } : {}),
      env: process.env,
    })
    core.info(
      `publishing ${manifest.name} ${manifest.version} (${manifest.sizeBytes} bytes) to ${backend.description}`,
    )
    const started = Date.now()
    const published = await backend.publish({ imagePath: s.imagePath, manifest, makeLatest: s.makeLatest })
    const secs = (Date.now() - started) / 1000
    core.info(`published and verified in ${secs.toFixed(1)} s: ${published.imageUrl}`)
    core.setOutput('url', published.imageUrl)
    core.setOutput('latest-url', published.latestUrl)
    core.setOutput('sha256', published.manifest.sha256)
    core.setOutput('version', published.version)
    const deleted = await pruneVersions(backend, s.keepVersions)
    if (deleted.length)
      core.info(`deleted versions beyond keep-versions=${s.keepVersions}: ${deleted.join(' ')}`)
    core.setOutput('deleted-versions', deleted.join(' '))
    await core.summary
      .addHeading(`Published ${manifest.name} ${published.version}`, 3)
      .addTable([
        [
          { data: '', header: true },
          { data: manifest.name, header: true },
        ],
        ['url', published.imageUrl],
        ['latest', s.makeLatest ? published.latestUrl : '(not moved: make-latest is false)'],
        ['source commit', manifest.sourceCommit || '(none)'],
        ['sha256', `<code>${manifest.sha256}</code>`],
        ['size', `${manifest.sizeBytes} bytes`],
        ['deleted', deleted.join(' ') || '(none)'],
      ])
      .write()
  } catch (e) {
    core.setFailed((e as Error).message)
  }
}
