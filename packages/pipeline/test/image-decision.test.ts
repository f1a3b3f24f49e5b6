import { describe, expect, it } from 'vitest'
import { decideImage, parseImageMode } from '../src/image-decision.js'

const paths = ['appliance/**', 'diskimage-builder/**', '^tools/build_.*\\.sh$']

describe('image decision', () => {
  it('builds when a changed file is in the appliance or its builder', () => {
    const d = decideImage({
      changedFiles: ['/COMMIT_MSG', 'README.rst', 'diskimage-builder/elements/x/install.d/50-x'],
      appliancePaths: paths,
    })
    expect(d.action).toBe('build')
    expect(d.matched).toEqual(['diskimage-builder/elements/x/install.d/50-x'])
    expect(d.reason).toContain('diskimage-builder/elements/x/install.d/50-x matches appliance-paths')
  })

  it('matches Zuul-style regexes too', () => {
    expect(decideImage({ changedFiles: ['tools/build_image.sh'], appliancePaths: paths }).action).toBe(
      'build',
    )
  })

  it('reuses the published image for any other change, saying why', () => {
    const d = decideImage({
      changedFiles: ['/COMMIT_MSG', 'nova/api.py', 'doc/index.rst'],
      appliancePaths: paths,
    })
    expect(d).toEqual({
      action: 'prebuilt',
      reason: expect.stringMatching(/^none of the 2 changed files match appliance-paths \(appliance\/\*\*/),
      matched: [],
    })
  })

  it('lets mode force either way', () => {
    expect(
      decideImage({ changedFiles: ['appliance/a.py'], appliancePaths: paths, mode: 'prebuilt' }).action,
    ).toBe('prebuilt')
    expect(decideImage({ changedFiles: ['doc/a.rst'], appliancePaths: paths, mode: 'build' })).toMatchObject({
      action: 'build',
      reason: expect.stringContaining('mode is build'),
    })
  })

  it('never builds without appliance-paths, and shortens long lists', () => {
    expect(decideImage({ changedFiles: ['appliance/a.py'], appliancePaths: [' ', '# none'] }).action).toBe(
      'prebuilt',
    )
    const many = Array.from({ length: 8 }, (_, i) => `appliance/f${i}.py`)
    expect(decideImage({ changedFiles: many, appliancePaths: paths }).reason).toContain(
      'and 3 more match appliance-paths',
    )
  })

  it('parses the mode input, naming a bad value', () => {
    expect(parseImageMode('')).toBe('auto')
    expect(parseImageMode(' Build ')).toBe('build')
    expect(() => parseImageMode('latest')).toThrow("mode must be auto, build or prebuilt, got 'latest'")
  })
})
