import { resolve } from 'node:path'
import { backendForLocation, downloadImage, ImageError } from '@stackci/images'
import { UsageError, stringOption, type Command } from '../command.js'

/**
 * `stackci image resolve LOCATION`: which image build-appliance-image would reuse, from the same
 * package code, and optionally the verified download.
 */
export const imageResolveCommand: Command = {
  name: ['image', 'resolve'],
  summary: 'Resolve the latest (or a given version of a) published appliance image',
  args: 'LOCATION',
  description: `
LOCATION is a publish location: github:owner/repo (on $GITHUB_SERVER_URL, default github.com),
https://HOST/owner/repo/releases (GitHub or GitHub Enterprise Server), or a directory written by
publish-latest-image. Prints the version, URLs, source commit and sha256 of the published image.
With --download the image is downloaded and verified against the published sha256 (a mismatch
deletes the file). The token comes from --token or $GITHUB_TOKEN.
Exit status: 0 when resolved (and verified), 1 when nothing matches or a digest is wrong, 2 on a
usage error.`,
  options: {
    version: {
      type: 'string',
      description: 'a published version instead of the latest',
      valueName: 'VERSION',
    },
    name: {
      type: 'string',
      description: 'image name (needed when a release holds several images)',
      valueName: 'NAME',
    },
    download: { type: 'string', description: 'download the verified image into DIR', valueName: 'DIR' },
    token: { type: 'string', description: 'GitHub token (default $GITHUB_TOKEN)', valueName: 'TOKEN' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, ctx) {
    if (args.positionals.length !== 1) throw new UsageError('expected one LOCATION')
    const location = args.positionals[0]!
    const token = stringOption(args, 'token') ?? ctx.env.GITHUB_TOKEN
    const imageName = stringOption(args, 'name')
    let backend
    try {
      backend = backendForLocation(location, {
        ...(token ? { token } : {}),
        ...(imageName ? { imageName } : {}),
        env: ctx.env,
        baseDir: ctx.cwd,
      })
    } catch (e) {
      if (e instanceof ImageError) throw new UsageError(`LOCATION: ${e.message}`)
      throw e
    }
    const image = await backend.resolve(stringOption(args, 'version'))
    const dir = stringOption(args, 'download')
    const path = dir
      ? (await downloadImage(backend, image, resolve(ctx.cwd, dir), ctx.signal)).path
      : undefined
    const m = image.manifest
    if (args.values.json) {
      ctx.stdout(
        `${JSON.stringify({ version: image.version, imageUrl: image.imageUrl, latestUrl: image.latestUrl, manifest: m, ...(path ? { path } : {}) }, null, 2)}\n`,
      )
      return 0
    }
    const rows: [string, string][] = [
      ['location', backend.description],
      ['version', image.version],
      ['image', image.imageUrl],
      ['latest', image.latestUrl],
      ['source commit', m.sourceCommit || '(none)'],
      ['elements', m.elements.join(' ')],
      ['built', `${m.buildTime} with diskimage-builder ${m.diskimageBuilderVersion}`],
      ['size', `${m.sizeBytes} bytes`],
      ['sha256', m.sha256],
    ]
    if (path) rows.push(['downloaded', `${path} (sha256 verified)`])
    const width = Math.max(...rows.map(([k]) => k.length))
    for (const [k, v] of rows) ctx.stdout(`${`${k}:`.padEnd(width + 2)}${v}\n`)
    return 0
  },
}
