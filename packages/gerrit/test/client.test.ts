import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startGerritServer, type Account, type GerritTestServer } from '../../../test/gerrit-server/index.js'
import {
  GerritClient,
  GerritHttpError,
  GerritInputError,
  GerritNetworkError,
  changeRouteId,
  parseGerritTimestamp,
  retryAfter,
  type GerritClientOptions,
} from '../src/index.js'

const P = 'openstack/ironic'
let server: GerritTestServer
let ci: Account
let sleeps: number[]

function client(opts: Partial<GerritClientOptions> = {}): GerritClient {
  return new GerritClient({
    url: server.url,
    username: ci.username,
    password: ci.httpPassword,
    sleep: async (ms) => void sleeps.push(ms),
    // Long enough for a loaded machine, short enough for the "reply never comes" cases.
    timeoutMs: 1000,
    ...opts,
  })
}

beforeEach(async () => {
  sleeps = []
  server = await startGerritServer({ pathPrefix: '/gerrit' })
  ci = server.addAccount({ username: 'acme-ci', name: 'Acme CI', groups: ['ci'] })
  await server.createProject({
    name: P,
    branches: ['master', 'stable/2025.1'],
    permissions: { Verified: [{ group: 'ci', min: -1, max: 1 }] },
  })
})
afterEach(() => server.close())

describe('GerritClient reads', () => {
  it('works with and without a path prefix and trailing slash, anonymously and on /a/', async () => {
    const c = await server.createChange({ project: P })
    const anon = new GerritClient({ url: `${server.url}/` })
    expect((await anon.getChange({ project: P, change: c.number })).change_id).toBe(c.changeId)
    expect(server.requests.at(-1)!.path).toBe(`/changes/openstack%2Fironic~${c.number}`)
    const authed = client()
    expect((await authed.getChange(c.number)).project).toBe(P)
    expect(server.requests.at(-1)!.user).toBe('acme-ci')
    const bare = await startGerritServer()
    try {
      const u = bare.addAccount({ username: 'u' })
      await bare.createProject({ name: 'p' })
      const x = await bare.createChange({ project: 'p' })
      const cl = new GerritClient({ url: bare.url, username: 'u', password: u.httpPassword })
      expect((await cl.getChange({ project: 'p', change: x.number }))._number).toBe(x.number)
    } finally {
      await bare.close()
    }
  })

  it('reads every page of a query, bounded by the limit', async () => {
    for (let i = 0; i < 7; i++) await server.createChange({ project: P })
    const all = await client().queryChanges(`status:open project:${P}`, {
      pageSize: 3,
      options: ['CURRENT_REVISION'],
    })
    expect(all.map((c) => c._number)).toEqual([7, 6, 5, 4, 3, 2, 1])
    expect(all.every((c) => c._more_changes === undefined && c.current_revision)).toBe(true)
    expect(
      server.requests
        .filter((r) => r.path === '/a/changes/')
        .map((r) => new URLSearchParams(r.query).get('S')),
    ).toEqual([null, '3', '6'])
    const some = await client().queryChanges('status:open', { pageSize: 2, limit: 5 })
    expect(some.map((c) => c._number)).toEqual([7, 6, 5, 4, 3])
    expect(some.at(-1)!._more_changes).toBe(true)
  })

  it('lists files and branches', async () => {
    const c = await server.createChange({ project: P, files: { 'ironic/drivers/x.py': 'x\n' } })
    expect(Object.keys(await client().listFiles({ project: P, change: c.number }, c.revision))).toEqual([
      '/COMMIT_MSG',
      'ironic/drivers/x.py',
    ])
    expect((await client().listBranches(P)).map((b) => b.ref)).toEqual([
      'HEAD',
      'refs/heads/master',
      'refs/heads/stable/2025.1',
    ])
  })

  it('encodes ids and rejects inputs that cannot make a request', () => {
    expect(changeRouteId({ project: 'openstack/ironic', change: 12 })).toBe('openstack%2Fironic~12')
    expect(changeRouteId('openstack%2Fironic~12')).toBe('openstack%2Fironic~12')
    expect(() => changeRouteId({ project: P, change: 0 })).toThrow(GerritInputError)
    expect(() => changeRouteId('a/b~1')).toThrow(/URL-safe/)
    expect(() => new GerritClient({ url: 'ftp://x' })).toThrow(/gerrit-url/)
    expect(() => new GerritClient({ url: 'https://u:p@x' })).toThrow(/credentials/)
    expect(() => new GerritClient({ url: 'https://x', username: 'u' })).toThrow(/password/)
    expect(retryAfter('12')).toBe(12)
    expect(retryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThanOrEqual(4)
    expect(retryAfter('soon')).toBeUndefined()
    expect(parseGerritTimestamp('2026-11-21 20:00:00.123000000').toISOString()).toBe(
      '2026-11-21T20:00:00.123Z',
    )
    expect(() => parseGerritTimestamp('2026-11-21T20:00:00Z')).toThrow(/not a Gerrit timestamp/)
  })
})

describe('GerritClient retries', () => {
  it('retries 500, 503 and 429 (honouring Retry-After) at most 3 attempts with backoff', async () => {
    const c = await server.createChange({ project: P })
    server.inject({ kind: 'status', status: 503 }, { method: 'GET' })
    server.inject({ kind: 'status', status: 429, retryAfter: '7' }, { method: 'GET' })
    expect((await client().getChange(c.number))._number).toBe(c.number)
    expect(sleeps).toEqual([2000, 7000])

    sleeps = []
    server.inject({ kind: 'status', status: 500 }, { method: 'GET', times: 3 })
    const err = await client()
      .getChange(c.number)
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(GerritHttpError)
    expect((err as GerritHttpError).status).toBe(500)
    expect((err as GerritHttpError).attempts).toBe(3)
    expect(sleeps).toEqual([2000, 4000])
  })

  it('does not wait for a Retry-After beyond its bound', async () => {
    const c = await server.createChange({ project: P })
    server.inject({ kind: 'status', status: 429, retryAfter: '3600' })
    const err = await client()
      .getChange(c.number)
      .catch((e: unknown) => e)
    expect((err as GerritHttpError).status).toBe(429)
    expect(sleeps).toEqual([])
  })

  it.each([400, 401, 403, 404, 409])('does not retry %i', async (status) => {
    const c = await server.createChange({ project: P })
    server.inject({ kind: 'status', status }, { times: 3 })
    const err = (await client()
      .getChange(c.number)
      .catch((e: unknown) => e)) as GerritHttpError
    expect(err.status).toBe(status)
    expect(err.retryable).toBe(false)
    expect(err.attempts).toBe(1)
    expect(server.faults.pending()[0]!.remaining).toBe(2)
  })

  it('names 401 and 404 from the real server', async () => {
    const bad = client({ password: 'wrong-password' })
    const e401 = (await bad.getChange(1).catch((e: unknown) => e)) as GerritHttpError
    expect(e401.status).toBe(401)
    expect(e401.message).not.toContain('wrong-password')
    const e404 = (await client()
      .getChange({ project: P, change: 42 })
      .catch((e: unknown) => e)) as GerritHttpError
    expect(e404.message).toBe(
      'GET /gerrit/a/changes/openstack%2Fironic~42: HTTP 404: Not found: openstack/ironic~42',
    )
  })

  it('retries a reset and a reply that never comes', async () => {
    const c = await server.createChange({ project: P })
    server.inject({ kind: 'reset' }, { method: 'GET' })
    server.inject({ kind: 'hang' }, { method: 'GET' })
    expect((await client().getChange(c.number))._number).toBe(c.number)
    expect(server.requests.map((r) => r.fault)).toEqual(['reset', 'hang', undefined])
    server.inject({ kind: 'reset' }, { method: 'GET', times: 3 })
    const err = await client()
      .getChange(c.number)
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(GerritNetworkError)
    expect((err as GerritNetworkError).code).toBe('ECONNRESET')
  })

  it('asks before resending a write whose outcome is unknown', async () => {
    const c = await server.createChange({ project: P })
    server.inject({ kind: 'lost-reply' }, { method: 'POST' })
    let checks = 0
    const tagged = () => server.messages(c.number).filter((m) => m.tag === 'autogenerated:stackci:check')
    const r = await client().setReview(
      { project: P, change: c.number },
      c.revision,
      { message: 'hello', tag: 'autogenerated:stackci:check' },
      {
        alreadyApplied: async () => {
          checks++
          return tagged().length > 0
        },
      },
    )
    expect(r).toEqual({ recovered: true, attempts: 1 })
    expect(checks).toBe(1)
    expect(tagged().length).toBe(1)
  })

  it('submits, and finds a submit whose reply was lost already merged', async () => {
    const c = await server.createChange({ project: P })
    server.approve(c.number)
    const gate = client({ username: 'admin', password: server.admin.httpPassword })
    server.inject({ kind: 'lost-reply' }, { method: 'POST', path: '/submit' })
    const r = await gate.submit({ project: P, change: c.number })
    expect(r.recovered).toBe(true)
    expect(server.change(c.number).status).toBe('MERGED')
    const again = (await gate
      .submit({ project: P, change: c.number })
      .catch((e: unknown) => e)) as GerritHttpError
    expect(again.status).toBe(409)
  })
})

describe('GerritClient unknown outcomes', () => {
  it('says so when checking a lost write fails too', async () => {
    const c = await server.createChange({ project: P })
    server.inject({ kind: 'lost-reply' }, { method: 'POST' })
    const err = (await client()
      .setReview(
        c.number,
        'current',
        { message: 'x' },
        {
          alreadyApplied: async () => {
            throw new Error('messages unreadable')
          },
        },
      )
      .catch((e: unknown) => e)) as Error & { outcomeUnknown: boolean }
    expect(err.message).toMatch(
      /attempt 1 may or may not have been applied \(.*ECONNRESET\), and checking failed: messages unreadable/,
    )
    expect(err.outcomeUnknown).toBe(true)
  })
})
