/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of the REST API under test */
import { Agent, request } from 'node:http'
import type { Socket } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startGitHubServer, type GitHubServer } from './index.js'

const auth = { authorization: 'Bearer test-token' }
let gh: GitHubServer

beforeEach(async () => {
  gh = await startGitHubServer({ repos: ['stackci/appliance'] })
})
afterEach(async () => {
  await gh.close()
})

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = auth) {
  const res = await fetch(`${gh.urls.api}${path}`, {
    method,
    headers: { ...headers, 'content-type': 'application/json', accept: 'application/vnd.github+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return {
    status: res.status,
    headers: res.headers,
    json: text ? (JSON.parse(text) as Record<string, any>) : undefined,
  }
}

async function uploadAsset(release: Record<string, any>, name: string, data: string) {
  const url = String(release.upload_url).replace(/\{\?name,label\}$/, `?name=${encodeURIComponent(name)}`)
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/octet-stream', 'content-length': String(data.length) },
    body: data,
  })
  return { status: res.status, json: (await res.json()) as Record<string, any> }
}

describe('GitHub test server: releases', () => {
  it('publishes a draft and moves latest only then; drafts never download', async () => {
    const draft = await api('POST', '/repos/stackci/appliance/releases', { tag_name: 'v1', draft: true })
    expect(draft.status).toBe(201)
    expect(draft.json!.upload_url).toBe(
      `${gh.urls.uploads}/repos/stackci/appliance/releases/${draft.json!.id}/assets{?name,label}`,
    )
    const up = await uploadAsset(draft.json!, 'app.qcow2', 'hello')
    expect(up.status).toBe(201)
    expect(up.json.digest).toBe('sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824')
    expect(up.json.state).toBe('uploaded')
    expect((await api('GET', '/repos/stackci/appliance/releases/latest')).status).toBe(404)
    expect(
      (await fetch(`${gh.urls.server}/stackci/appliance/releases/latest/download/app.qcow2`)).status,
    ).toBe(404)
    // Anonymous callers do not see drafts at all.
    expect(
      (await api('GET', `/repos/stackci/appliance/releases/${draft.json!.id}`, undefined, {})).status,
    ).toBe(404)

    const pub = await api('PATCH', `/repos/stackci/appliance/releases/${draft.json!.id}`, { draft: false })
    expect(pub.json).toMatchObject({ draft: false, tag_name: 'v1' })
    expect((await api('GET', '/repos/stackci/appliance/releases/latest', undefined, {})).json!.tag_name).toBe(
      'v1',
    )
    const dl = await fetch(`${gh.urls.server}/stackci/appliance/releases/latest/download/app.qcow2`)
    expect(dl.status).toBe(200)
    expect(await dl.text()).toBe('hello')
  })

  it('excludes prereleases from latest and refuses duplicate tags and asset names', async () => {
    await api('POST', '/repos/stackci/appliance/releases', { tag_name: 'v1' })
    await api('POST', '/repos/stackci/appliance/releases', { tag_name: 'v2-rc', prerelease: true })
    expect((await api('GET', '/repos/stackci/appliance/releases/latest')).json!.tag_name).toBe('v1')
    const dup = await api('POST', '/repos/stackci/appliance/releases', { tag_name: 'v1' })
    expect(dup.status).toBe(422)
    expect(dup.json!.errors[0]).toMatchObject({ code: 'already_exists', field: 'tag_name' })
    const r = (await api('GET', '/repos/stackci/appliance/releases/tags/v1')).json!
    expect((await uploadAsset(r, 'a', 'x')).status).toBe(201)
    expect((await uploadAsset(r, 'a', 'y')).status).toBe(422)
  })

  it('requires a valid token to write', async () => {
    expect((await api('POST', '/repos/stackci/appliance/releases', { tag_name: 'v1' }, {})).status).toBe(401)
    const bad = await api('GET', '/repos/stackci/appliance/releases', undefined, {
      authorization: 'Bearer nope',
    })
    expect(bad).toMatchObject({ status: 401, json: { message: 'Bad credentials' } })
  })

  it('paginates with Link headers', async () => {
    for (let i = 0; i < 5; i++) await api('POST', '/repos/stackci/appliance/releases', { tag_name: `v${i}` })
    const p1 = await api('GET', '/repos/stackci/appliance/releases?per_page=2')
    expect(p1.json).toHaveLength(2)
    expect(p1.json![0].tag_name).toBe('v4')
    expect(p1.headers.get('link')).toContain('page=2>; rel="next"')
    expect(p1.headers.get('link')).toContain('page=3>; rel="last"')
    const p3 = await api('GET', '/repos/stackci/appliance/releases?per_page=2&page=3')
    expect(p3.json!.map((r: any) => r.tag_name)).toEqual(['v0'])
    expect(p3.headers.get('link')).not.toContain('rel="next"')
  })

  it('fault switches: broken upload leaves a starter asset, tampered download, 5xx', async () => {
    const r = (await api('POST', '/repos/stackci/appliance/releases', { tag_name: 'v1', draft: true })).json!
    gh.faults.breakUploadAfterBytes = 3
    await expect(uploadAsset(r, 'big', 'x'.repeat(100_000))).rejects.toThrow()
    const assets = (await api('GET', `/repos/stackci/appliance/releases/${r.id}/assets`)).json as any[]
    expect(assets).toMatchObject([{ name: 'big', state: 'starter', digest: null }])
    expect(assets[0].size).toBeLessThan(100_000)

    expect((await uploadAsset(r, 'ok', 'abcdef')).status).toBe(201)
    await api('PATCH', `/repos/stackci/appliance/releases/${r.id}`, { draft: false })
    gh.faults.tamperDownloads = true
    const body = await (await fetch(`${gh.urls.server}/stackci/appliance/releases/download/v1/ok`)).text()
    expect(body).toHaveLength(6)
    expect(body).not.toBe('abcdef')

    gh.faults.failNext({ path: '/releases/latest', status: 502 })
    expect((await api('GET', '/repos/stackci/appliance/releases/latest')).status).toBe(502)
    expect((await api('GET', '/repos/stackci/appliance/releases/latest')).status).toBe(200)
  })

  it('takes many uploads over one keep-alive connection without piling up listeners', async () => {
    const draft = await api('POST', '/repos/stackci/appliance/releases', { tag_name: 'v1', draft: true })
    const base = String(draft.json!.upload_url).replace(/\{\?name,label\}$/, '')
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const warnings: Error[] = []
    const onWarning = (w: Error) => warnings.push(w)
    process.on('warning', onWarning)
    const sockets = new Set<Socket>()
    try {
      for (let i = 0; i < 15; i++) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = request(`${base}?name=f${i}`, {
            method: 'POST',
            agent,
            headers: { ...auth, 'content-type': 'application/octet-stream', 'content-length': '1' },
          })
          req.on('socket', (s) => sockets.add(s))
          req.on('response', (res) => {
            res.resume()
            res.on('end', () => resolve(res.statusCode!))
          })
          req.on('error', reject)
          req.end('x')
        })
        expect(status).toBe(201)
      }
      await new Promise((r) => setImmediate(r))
    } finally {
      process.off('warning', onWarning)
      agent.destroy()
    }
    expect(sockets.size).toBe(1)
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([])
  })

  it('deletes releases, assets and tags', async () => {
    const r = (await api('POST', '/repos/stackci/appliance/releases', { tag_name: 'v1' })).json!
    const a = (await uploadAsset(r, 'f', 'data')).json
    expect((await api('DELETE', `/repos/stackci/appliance/releases/assets/${a.id}`)).status).toBe(204)
    expect((await api('DELETE', `/repos/stackci/appliance/releases/${r.id}`)).status).toBe(204)
    expect((await api('GET', '/repos/stackci/appliance/releases/latest')).status).toBe(404)
    expect((await api('DELETE', '/repos/stackci/appliance/git/refs/tags/v1')).status).toBe(204)
    expect((await api('DELETE', '/repos/stackci/appliance/git/refs/tags/v1')).status).toBe(422)
  })

  it('takes extra route files sharing state', async () => {
    await gh.close()
    gh = await startGitHubServer({
      repos: ['stackci/appliance'],
      routes: [
        (router) =>
          router.api('GET', '/repos/:owner/:repo/hello', (ctx) => {
            const n = ctx.state.slot('hello', () => ({ calls: 0 }))
            n.calls++
            ctx.res.writeHead(200).end(String(n.calls))
          }),
      ],
    })
    await api('GET', '/repos/stackci/appliance/hello')
    expect(gh.state.slot('hello', () => ({ calls: 0 })).calls).toBe(1)
  })
})
