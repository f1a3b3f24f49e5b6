import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  ContractError,
  buildSetSucceeded,
  formatZuulDuration,
  gerritChangeRef,
  githubUrlsFromEnv,
  parseGerritChangeRef,
  parseImageManifest,
  parseResults,
  parseRunName,
  readResults,
  runName,
  runUrlFromEnv,
} from '../src/index.js'

describe('gerrit change refs', () => {
  it('shards by the last two digits, zero-padded', () => {
    expect(gerritChangeRef(12345, 3)).toBe('refs/changes/45/12345/3')
    expect(gerritChangeRef(7, 1)).toBe('refs/changes/07/7/1')
    expect(parseGerritChangeRef('refs/changes/45/12345/3')).toEqual({ change: 12345, patchset: 3 })
  })
  it('rejects a shard that does not match the change', () => {
    expect(() => parseGerritChangeRef('refs/changes/44/12345/3')).toThrow(/shard 44/)
    expect(() => gerritChangeRef(0, 1)).toThrow(ContractError)
  })
})

describe('run names', () => {
  it('round-trip for gerrit changes', () => {
    const name = runName('check', {
      kind: 'gerrit',
      gerritUrl: 'https://review.example.org',
      project: 'openstack/ironic',
      branch: 'master',
      change: 912345,
      patchset: 4,
      revision: 'a'.repeat(40),
      ref: gerritChangeRef(912345, 4),
    })
    expect(name).toBe('check openstack/ironic 912345,4')
    expect(parseRunName(name)).toEqual({
      pipeline: 'check',
      project: 'openstack/ironic',
      change: 912345,
      patchset: 4,
    })
    expect(parseRunName('CI for main')).toBeUndefined()
  })
})

describe('run URLs', () => {
  it('build the run attempt URL', () => {
    expect(runUrlFromEnv({ GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '7', GITHUB_RUN_ATTEMPT: '2' })).toBe(
      'https://github.com/o/r/actions/runs/7/attempts/2',
    )
    expect(
      runUrlFromEnv({
        GITHUB_SERVER_URL: 'https://ghe.example/',
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_RUN_ID: '7',
      }),
    ).toBe('https://ghe.example/o/r/actions/runs/7/attempts/1')
    expect(() => runUrlFromEnv({})).toThrow(/not running in a workflow run/)
  })
})

describe('GitHub URLs', () => {
  it('default to github.com and its API host', () => {
    expect(githubUrlsFromEnv({})).toEqual({ server: 'https://github.com', api: 'https://api.github.com' })
  })
  it('put a GitHub Enterprise Server API under /api/v3 unless GITHUB_API_URL says otherwise', () => {
    expect(githubUrlsFromEnv({ GITHUB_SERVER_URL: 'https://ghe.example/' })).toEqual({
      server: 'https://ghe.example',
      api: 'https://ghe.example/api/v3',
    })
    expect(
      githubUrlsFromEnv({
        GITHUB_SERVER_URL: 'https://ghe.example',
        GITHUB_API_URL: 'https://api.ghe.example',
      }).api,
    ).toBe('https://api.ghe.example')
  })
})

describe('zuul durations', () => {
  it.each([
    [3723, '1h 02m 03s'],
    [2890, '48m 10s'],
    [59.6, '1m 00s'],
    [5, '5s'],
  ])('%s s → %s', (s, text) => expect(formatZuulDuration(s)).toBe(text))
})

describe('results documents', () => {
  it('accepts a single job, a list and a build set', () => {
    expect(parseResults({ name: 'tempest', result: 'SUCCESS' }).jobs[0]).toMatchObject({ voting: true })
    expect(parseResults([{ name: 'a', result: 'FAILURE', voting: false }]).jobs).toHaveLength(1)
    const bs = parseResults({ pipeline: 'gate', jobs: [{ name: 'a', result: 'SUCCESS', duration: 12 }] })
    expect(bs.buildSet?.pipeline).toBe('gate')
    expect(bs.jobs[0]?.durationSeconds).toBe(12)
  })
  it('names the bad field', () => {
    expect(() => parseResults({ jobs: [{ name: 'a', result: 'PASSED' }] })).toThrow(
      /results\.jobs\[0\]\.result: unknown result 'PASSED'/,
    )
    expect(() => parseResults({ name: 3, result: 'SUCCESS' })).toThrow(
      /results\.name: expected a string, got 3/,
    )
  })
  it('read from a file, naming the file in every error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-results-'))
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text)
      return join(dir, name)
    }
    const good = file('good.json', JSON.stringify([{ name: 'a', result: 'SUCCESS' }]))
    expect(await readResults(good)).toEqual([{ name: 'a', result: 'SUCCESS', voting: true }])
    await expect(readResults(join(dir, 'none.json'))).rejects.toThrow(
      `cannot read ${join(dir, 'none.json')}: ENOENT`,
    )
    const text = file('text.json', 'PASSED')
    await expect(readResults(text)).rejects.toThrow(new RegExp(`^${text} is not JSON: `))
    const bad = file('bad.json', JSON.stringify({ name: 'a', result: 'PASSED' }))
    await expect(readResults(bad)).rejects.toThrow(`${bad}: results.result: unknown result 'PASSED'`)
  })
  it('lets non-voting failures through, as Zuul does', () => {
    expect(
      buildSetSucceeded([
        { name: 'a', result: 'SUCCESS', voting: true },
        { name: 'b', result: 'FAILURE', voting: false },
      ]),
    ).toBe(true)
    expect(buildSetSucceeded([{ name: 'a', result: 'TIMED_OUT', voting: true }])).toBe(false)
  })
})

describe('image manifests', () => {
  const good = {
    name: 'appliance',
    version: '20261121.1',
    sourceCommit: 'b'.repeat(40),
    elements: ['debian-minimal', 'appliance'],
    diskimageBuilderVersion: '3.28.0',
    buildTime: '2026-11-21T10:00:00Z',
    sizeBytes: 1024,
    sha256: 'C'.repeat(64),
  }
  it('normalises the digest and defaults the format', () => {
    expect(parseImageManifest(good)).toMatchObject({ sha256: 'c'.repeat(64), format: 'qcow2' })
  })
  it('rejects a bad digest', () => {
    expect(() => parseImageManifest({ ...good, sha256: 'abc' })).toThrow(/manifest\.sha256: not a sha256/)
  })
})
