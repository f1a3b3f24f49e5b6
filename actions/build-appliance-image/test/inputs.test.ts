import { afterEach, describe, expect, it } from 'vitest'
import { inputEnvName } from '../../../test/harness/index.js'
import { readInputs } from '../src/inputs.js'

const set = (name: string, value: string) => (process.env[inputEnvName(name)] = value)
afterEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k]
})
const env = { GITHUB_WORKSPACE: '/ws', RUNNER_TEMP: '/rt' }

describe('build-appliance-image inputs', () => {
  it('defaults', () => {
    expect(readInputs(env)).toMatchObject({
      mode: 'auto',
      publishLocation: '',
      version: '',
      imageName: 'appliance',
      imageFormat: 'qcow2',
      imageSizeGb: undefined,
      repoName: '',
      sourcePath: '/ws',
      buildVersion: '',
      outputDir: '/rt/appliance-image',
      bootTimeoutMs: 600_000,
    })
  })

  it('trims text, resolves paths against the workspace, reads numbers', () => {
    set('mode', 'Build')
    set('publish-location', ' github:o/r ')
    set('version', ' 1.0 ')
    set('repo-name', ' astara ')
    set('build-version', ' 2026.1 ')
    set('source-path', 'src')
    set('output-dir', 'out')
    set('boot-timeout-minutes', '1.5')
    set('image-size', '4')
    expect(readInputs(env)).toMatchObject({
      mode: 'build',
      publishLocation: 'github:o/r',
      version: '1.0',
      repoName: 'astara',
      buildVersion: '2026.1',
      sourcePath: '/ws/src',
      outputDir: '/ws/out',
      bootTimeoutMs: 90_000,
      imageSizeGb: 4,
    })
  })

  it('names the bad input', () => {
    set('mode', 'sometimes')
    expect(() => readInputs(env)).toThrow(
      "input 'mode': mode must be auto, build or prebuilt, got 'sometimes'",
    )
    delete process.env[inputEnvName('mode')]
    set('image-name', 'a/b')
    expect(() => readInputs(env)).toThrow(
      "input 'image-name': 'a/b' must be letters, digits, '.', '_' or '-'",
    )
    delete process.env[inputEnvName('image-name')]
    set('boot-timeout-minutes', '0')
    expect(() => readInputs(env)).toThrow("input 'boot-timeout-minutes': expected a number > 0, got '0'")
  })
})
