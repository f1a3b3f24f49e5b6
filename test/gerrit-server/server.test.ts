import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startGerritServer, XSSI_PREFIX, type Account, type GerritTestServer } from './index.js'

const run = promisify(execFile)
const P = 'openstack/ironic'
const enc = encodeURIComponent(P)

let server: GerritTestServer
let ci: Account
let core: Account

function auth(a: Account): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${a.username}:${a.httpPassword}`).toString('base64')}` }
}

async function call(
  path: string,
  opts: { method?: string; body?: unknown; as?: Account } = {},
): Promise<{ status: number; text: string; json: () => unknown; headers: Headers }> {
  const headers: Record<string, string> = opts.as ? auth(opts.as) : {}
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  const r = await fetch(`${server.url}${path}`, {
    method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  })
  const text = await r.text()
  return {
    status: r.status,
    text,
    headers: r.headers,
    json: () => {
      expect(text.startsWith(`${XSSI_PREFIX}\n`)).toBe(true)
      return JSON.parse(text.slice(XSSI_PREFIX.length + 1))
    },
  }
}

beforeEach(async () => {
  server = await startGerritServer({ pathPrefix: '/r' })
  ci = server.addAccount({ username: 'acme-ci', name: 'Acme Ironic CI', groups: ['ironic-ci'] })
  core = server.addAccount({ username: 'core', name: 'Core Reviewer', groups: ['ironic-core'] })
  await server.createProject({
    name: P,
    branches: ['master', 'stable/2025.1'],
    permissions: {
      Verified: [{ group: 'ironic-ci', min: -1, max: 1 }],
      'Code-Review': [{ group: 'ironic-core', min: -2, max: 2 }],
      Workflow: [{ group: 'ironic-core', min: -1, max: 1 }],
    },
  })
})
afterEach(async () => {
  await server.close()
})

describe('test Gerrit: REST basics', () => {
  it('serves under its path prefix with the XSSI prefix, and asks for Basic auth on /a/', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/r$/)
    await server.createChange({ project: P })
    const anon = await call('/changes/?q=status:open')
    expect(anon.status).toBe(200)
    expect(anon.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect((anon.json() as unknown[]).length).toBe(1)
    const noAuth = await call('/a/changes/?q=status:open')
    expect(noAuth.status).toBe(401)
    expect(noAuth.headers.get('www-authenticate')).toBe('Basic realm="Gerrit Code Review"')
    const wrong = await call('/a/changes/?q=status:open', { as: { ...ci, httpPassword: 'nope' } })
    expect(wrong.status).toBe(401)
    expect((await call('/a/accounts/self', { as: ci })).json()).toMatchObject({ username: 'acme-ci' })
    const outside = await fetch(server.url.replace(/\/r$/, '/changes/'))
    expect(outside.status).toBe(404)
  })

  it('queries by status, project, branch and number, with o= options', async () => {
    const a = await server.createChange({ project: P, files: { 'ironic/a.py': 'a = 1\n' } })
    const b = await server.createChange({ project: P, branch: 'stable/2025.1' })
    await server.createProject({ name: 'openstack/nova' })
    const nova = await server.createChange({ project: 'openstack/nova' })
    server.abandon(b.number)
    const q = async (query: string, opts = '') =>
      (await call(`/a/changes/?q=${encodeURIComponent(query)}${opts}`, { as: ci })).json() as Record<
        string,
        unknown
      >[]
    expect((await q(`status:open project:${P}`)).map((c) => c._number)).toEqual([a.number])
    expect((await q(`project:${P} branch:stable/2025.1`)).map((c) => c._number)).toEqual([b.number])
    expect((await q(`status:abandoned`)).map((c) => c._number)).toEqual([b.number])
    expect((await q(`${a.number}`)).map((c) => c.change_id)).toEqual([a.changeId])
    expect((await q(`change:${a.number}`))[0]!.revisions).toBeUndefined()
    expect((await q('project:^openstack/.* -status:abandoned')).length).toBe(2)
    const [full] = await q(
      `change:${a.number}`,
      '&o=CURRENT_REVISION&o=CURRENT_FILES&o=CURRENT_COMMIT&o=MESSAGES&o=DETAILED_LABELS&o=DETAILED_ACCOUNTS',
    )
    const rev = (full!.revisions as Record<string, Record<string, unknown>>)[a.revision]!
    expect(full!.current_revision).toBe(a.revision)
    expect(rev.ref).toBe('refs/changes/01/1/1')
    expect(rev.files).toEqual({ 'ironic/a.py': { status: 'A', lines_inserted: 1, size_delta: 6, size: 6 } })
    expect((rev.commit as Record<string, unknown>).message).toContain(`Change-Id: ${a.changeId}`)
    expect((full!.messages as unknown[]).length).toBe(1)
    expect(full!.permitted_labels).toEqual({ Verified: ['-1', ' 0', '+1'] })
    expect(Object.keys(full!.labels as object)).toEqual(['Code-Review', 'Verified', 'Workflow'])
    server.setLabels(a.number, { Verified: -1 }, { account: ci })
    expect((await q('label:Verified=-1')).map((c) => c._number)).toEqual([a.number])
    expect((await q('label:Verified<0,user=acme-ci')).map((c) => c._number)).toEqual([a.number])
    expect((await q('label:Verified=-1,user=core')).length).toBe(0)
    // What this CI has not voted on yet.
    expect((await q('status:open -label:Verified>=-1,user=self')).map((c) => c._number)).toEqual([
      nova.number,
    ])
    expect((await call('/a/changes/?q=status:open&o=BOGUS', { as: ci })).status).toBe(400)
    expect((await call('/a/changes/?q=frobnicate:1', { as: ci })).status).toBe(400)
  })

  it('pages with n and S, marking _more_changes on the last change of a page', async () => {
    for (let i = 0; i < 5; i++) await server.createChange({ project: P })
    const page = async (s: number) =>
      (await call(`/a/changes/?q=status:open&n=2&S=${s}`, { as: ci })).json() as Record<string, unknown>[]
    const p0 = await page(0)
    const p1 = await page(2)
    const p2 = await page(4)
    expect(p0.map((c) => c._number)).toEqual([5, 4])
    expect(p0[1]!._more_changes).toBe(true)
    expect(p1.map((c) => c._number)).toEqual([3, 2])
    expect(p2.map((c) => c._number)).toEqual([1])
    expect(p2[0]!._more_changes).toBeUndefined()
    const multi = (await call('/changes/?q=status:open&q=status:merged&n=1')).json() as unknown[][]
    expect(multi.map((x) => x.length)).toEqual([1, 0])
  })

  it('gets a change by every id form, all revisions, and lists files with /COMMIT_MSG', async () => {
    const c = await server.createChange({ project: P, files: { 'doc/x.rst': 'x\n', 'ironic/y.py': 'y\n' } })
    const c2 = await server.addPatchSet(c.number, { files: { 'doc/x.rst': null } })
    for (const id of [`${enc}~${c.number}`, `${enc}~master~${c.changeId}`, c.changeId, String(c.number)]) {
      const info = (await call(`/changes/${id}?o=ALL_REVISIONS`)).json() as Record<string, unknown>
      expect(Object.keys(info.revisions as object).sort()).toEqual([c.revision, c2.revision].sort())
      expect(info.current_revision).toBe(c2.revision)
    }
    const files = (await call(`/changes/${enc}~${c.number}/revisions/current/files/`)).json()
    expect(Object.keys(files as object)).toEqual(['/COMMIT_MSG', 'ironic/y.py'])
    const old = (await call(`/changes/${enc}~${c.number}/revisions/1/files/`)).json()
    expect(Object.keys(old as object)).toEqual(['/COMMIT_MSG', 'doc/x.rst', 'ironic/y.py'])
    expect((await call(`/changes/${enc}~99`)).status).toBe(404)
    expect((await call(`/changes/${enc}~${c.number}/revisions/deadbeef/files/`)).status).toBe(404)
  })

  it('describes each patch set commit as git stores it', async () => {
    const c = await server.createChange({
      project: P,
      subject: 'Add  a driver ',
      body: '# not a comment\n\n\nsecond paragraph  ',
    })
    await server.addPatchSet(c.number)
    await server.land({ project: P, subject: 'Land first' })
    await server.addPatchSet(c.number, { rebase: true })
    const gitDir = server.model.project(P).gitDir
    const gitOut = async (...args: string[]) => (await run('git', ['--git-dir', gitDir, ...args])).stdout
    type Commit = {
      message: string
      parents: { commit: string; subject: string }[]
      author: { date: string }
    }
    const info = (await call(`/changes/${c.number}?o=ALL_REVISIONS&o=ALL_COMMITS`)).json() as {
      revisions: Record<string, { commit: Commit }>
    }
    const commits = Object.entries(info.revisions)
    expect(commits.length).toBe(3)
    for (const [sha, { commit }] of commits) {
      const raw = await gitOut('cat-file', 'commit', sha)
      expect(commit.message).toBe(raw.slice(raw.indexOf('\n\n') + 2))
      const [parent, authorEpoch] = (await gitOut('log', '-1', '--format=%P%n%at', sha)).split('\n')
      const parentSubject = (await gitOut('log', '-1', '--format=%s', parent!)).trim()
      expect(commit.parents).toEqual([{ commit: parent, subject: parentSubject }])
      const authorDate = new Date(Number(authorEpoch) * 1000).toISOString().replace('T', ' ').slice(0, 19)
      expect(commit.author.date.slice(0, 19)).toBe(authorDate)
    }
  })

  it('lists branches with HEAD first', async () => {
    await server.createBranch(P, 'stable/2024.2')
    const list = (await call(`/a/projects/${enc}/branches/`, { as: ci })).json() as { ref: string }[]
    expect(list.map((b) => b.ref)).toEqual([
      'HEAD',
      'refs/heads/master',
      'refs/heads/stable/2024.2',
      'refs/heads/stable/2025.1',
    ])
    expect((await call(`/projects/nope/branches/`)).status).toBe(404)
  })
})

describe('test Gerrit: Set Review status codes', () => {
  const review = (id: string, rev: string, body: unknown, as: Account = ci) =>
    call(`/a/changes/${id}/revisions/${rev}/review`, { body, as })

  it('stores a review with its tag, prefixes the message with the votes, ignores unknown labels', async () => {
    const c = await server.createChange({ project: P })
    const r = await review(`${enc}~${c.number}`, c.revision, {
      message: 'Build succeeded (check pipeline).',
      labels: { Verified: 1, 'No-Such-Label': 1 },
      tag: 'autogenerated:stackci:check',
      notify: 'NONE',
    })
    expect(r.status).toBe(200)
    expect(r.json()).toEqual({ labels: { Verified: 1 } })
    const last = server.messages(c.number).at(-1)!
    expect(last.message).toBe('Patch Set 1: Verified+1\n\nBuild succeeded (check pipeline).')
    expect(last.tag).toBe('autogenerated:stackci:check')
    expect(last.author?.username).toBe('acme-ci')
    expect(server.vote(c.number, 'Verified', ci)).toBe(1)
    const msgOnly = await review(`${enc}~${c.number}`, 'current', { message: 'just a comment' })
    expect(msgOnly.json()).toEqual({})
    expect(server.messages(c.number).at(-1)!.message).toBe('Patch Set 1:\n\njust a comment')
  })

  it('answers 404, 403, 409 and 400 where Gerrit does', async () => {
    const c = await server.createChange({ project: P })
    const id = `${enc}~${c.number}`
    expect((await review(`${enc}~77`, 'current', { message: 'x' })).status).toBe(404)
    expect((await review(id, 'ffffffff', { message: 'x' })).status).toBe(404)
    const restricted = await review(id, 'current', { labels: { Verified: 2 } })
    expect(restricted.status).toBe(200) // 2 is not a value of Verified: dropped, like an unknown label
    const forbidden = await review(id, 'current', { labels: { 'Code-Review': 1 } })
    expect(forbidden.status).toBe(403)
    expect(forbidden.text).toBe('Applying label "Code-Review": 1 is restricted\n')
    expect((await call(`/changes/${id}/revisions/current/review`, { body: { message: 'x' } })).status).toBe(
      403,
    )
    expect((await call(`/a/changes/${id}/revisions/current/review`, { body: 'nope', as: ci })).status).toBe(
      400,
    )

    const old = await server.addPatchSet(c.number)
    // Gerrit accepts votes on an outdated patch set and keeps them there.
    expect((await review(id, c.revision, { labels: { Verified: 1 } })).status).toBe(200)
    expect(server.vote(c.number, 'Verified', ci)).toBeUndefined()
    expect(
      server
        .change(c.number)
        .approvals.get(1)!
        .map((a) => a.value),
    ).toEqual([1])
    expect((await review(id, c.revision, { message: 'late report' })).status).toBe(200)

    server.abandon(c.number)
    const abandoned = await review(id, old.revision, { labels: { Verified: -1 }, message: 'x' })
    expect(abandoned.status).toBe(409)
    expect(abandoned.text).toBe('change is closed\n')
    expect((await review(id, old.revision, { message: 'comment only' })).status).toBe(200)

    const m = await server.land({ project: P })
    const merged = await review(`${enc}~${m.number}`, 'current', { labels: { Verified: 1 } })
    expect(merged.status).toBe(409)
    expect(merged.text).toBe('Voting on labels disallowed after submit: Verified\n')
    // A label that allows post-submit votes may go up, not down.
    server.model.project(P).labels.Verified!.allowPostSubmit = true
    expect((await review(`${enc}~${m.number}`, 'current', { labels: { Verified: 1 } })).status).toBe(200)
    const reduced = await review(`${enc}~${m.number}`, 'current', { labels: { Verified: -1 } })
    expect(reduced.status).toBe(409)
    expect(reduced.text).toBe('Cannot reduce vote on labels for closed change: Verified\n')
  })
})

describe('test Gerrit: submit, merge and git over HTTP', () => {
  it('submits only when Code-Review +2 and Workflow +1 are there, merging with real git', async () => {
    server.addAccount({ username: 'gate', groups: ['Administrators'] })
    const c = await server.createChange({ project: P, files: { 'a.txt': 'a\n' } })
    const id = `${enc}~${c.number}`
    const first = await call(`/a/changes/${id}/submit`, { body: {}, as: server.admin })
    expect(first.status).toBe(409)
    expect(first.text).toContain("submit requirement 'Code-Review' is unsatisfied")
    expect((await call(`/a/changes/${id}/submit`, { body: {}, as: ci })).status).toBe(403)
    server.approve(c.number, { account: core })
    // Another change lands first, so the submit needs a real merge commit.
    await server.land({ project: P, files: { 'b.txt': 'b\n' } })
    const ok = await call(`/a/changes/${id}/submit`, { body: {}, as: server.admin })
    expect(ok.status).toBe(200)
    expect((ok.json() as { status: string }).status).toBe('MERGED')
    expect((await call(`/a/changes/${id}/submit`, { body: {}, as: server.admin })).status).toBe(409)
    const branches = (await call(`/projects/${enc}/branches/`)).json() as { ref: string; revision: string }[]
    const tip = branches.find((b) => b.ref === 'refs/heads/master')!.revision
    const { stdout } = await run('git', [
      '--git-dir',
      server.change(c.number).project.gitDir,
      'ls-tree',
      '--name-only',
      tip,
    ])
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual(['README', 'a.txt', 'b.txt'])
  })

  it('serves refs/changes/NN/N/P through git http-backend, anonymously and on /a/ with a password', async () => {
    const c = await server.createChange({
      project: P,
      files: { 'driver.py': 'print(1)\n' },
      subject: 'Add driver',
    })
    const c2 = await server.addPatchSet(c.number, { files: { 'driver.py': 'print(2)\n' } })
    const dir = mkdtempSync(join(tmpdir(), 'stackci-fetch-'))
    await run('git', ['init', '-q', dir])
    await run('git', ['-C', dir, 'fetch', '-q', server.gitUrl(P, ci), c2.ref])
    expect((await run('git', ['-C', dir, 'rev-parse', 'FETCH_HEAD'])).stdout.trim()).toBe(c2.revision)
    expect((await run('git', ['-C', dir, 'show', 'FETCH_HEAD:driver.py'])).stdout).toBe('print(2)\n')
    await run('git', ['-C', dir, 'fetch', '-q', server.gitUrl(P), 'refs/changes/01/1/1'])
    expect((await run('git', ['-C', dir, 'rev-parse', 'FETCH_HEAD'])).stdout.trim()).toBe(c.revision)
    const bad = server.gitUrl(P, ci).replace(ci.httpPassword, 'wrong')
    await expect(
      run('git', ['-C', dir, 'fetch', '-q', bad, c2.ref], {
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      }),
    ).rejects.toThrow()
  })
})

function rawPost(path: string, body: string, headers: Record<string, string>, timeoutMs: number) {
  return new Promise<{ status?: number; error?: string }>((resolve) => {
    const req = request(
      `${server.url}${path}`,
      { method: 'POST', headers: { ...headers, 'content-type': 'application/json' } },
      (res) => {
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode }))
      },
    )
    req.setTimeout(timeoutMs, () => {
      req.destroy()
      resolve({ error: 'timeout' })
    })
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }))
    req.end(body)
  })
}

describe('test Gerrit: fault switches', () => {
  it('answers 500, 503 and 429 with Retry-After without storing anything', async () => {
    const c = await server.createChange({ project: P })
    const path = `/a/changes/${enc}~${c.number}/revisions/current/review`
    server.inject({ kind: 'status', status: 500 }, { method: 'POST', path: '/review' })
    server.inject({ kind: 'status', status: 503 }, { method: 'POST', path: '/review' })
    server.inject({ kind: 'status', status: 429, retryAfter: '7' }, { method: 'POST', path: '/review' })
    const before = server.messages(c.number).length
    expect((await call(path.slice(0), { body: { message: 'x' }, as: ci })).status).toBe(500)
    expect((await call(path, { body: { message: 'x' }, as: ci })).status).toBe(503)
    const limited = await call(path, { body: { message: 'x' }, as: ci })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('7')
    expect(server.messages(c.number).length).toBe(before)
    expect((await call(path, { body: { message: 'x' }, as: ci })).status).toBe(200)
    expect(server.requests.filter((r) => r.fault).map((r) => r.fault)).toEqual(['status', 'status', 'status'])
  })

  it('resets, hangs, or stores and then loses the reply', async () => {
    const c = await server.createChange({ project: P })
    const path = `/a/changes/${enc}~${c.number}/revisions/current/review`
    const body = JSON.stringify({ message: 'report', tag: 'autogenerated:stackci:check' })
    const count = () =>
      server.messages(c.number).filter((m) => m.tag === 'autogenerated:stackci:check').length

    server.inject({ kind: 'reset' }, { path: '/review' })
    expect((await rawPost(path, body, auth(ci), 2000)).error).toBe('ECONNRESET')
    expect(count()).toBe(0)

    server.inject({ kind: 'hang' }, { path: '/review' })
    expect((await rawPost(path, body, auth(ci), 300)).error).toBe('timeout')
    expect(count()).toBe(0)

    server.inject({ kind: 'lost-reply' }, { path: '/review' })
    expect((await rawPost(path, body, auth(ci), 2000)).error).toBe('ECONNRESET')
    expect(count()).toBe(1)

    server.inject({ kind: 'lost-reply', after: 'hang' }, { path: '/review' })
    expect((await rawPost(path, body, auth(ci), 300)).error).toBe('timeout')
    expect(count()).toBe(2)
    expect(server.faults.pending()).toEqual([])
  })
})

describe('test Gerrit: entities', () => {
  it('renders reviewers, approvals with permitted ranges only on DETAILED_LABELS, and ReviewResult.change_info', async () => {
    const c = await server.createChange({ project: P })
    const id = `${enc}~${c.number}`
    server.setLabels(c.number, { 'Code-Review': -1 }, { account: core })
    server.addMessage(c.number, { author: ci, message: 'looks odd' })
    const get = async (o: string) =>
      (await call(`/a/changes/${id}?${o}`, { as: ci })).json() as Record<string, Record<string, unknown>>
    const basic = await get('o=LABELS&o=DETAILED_ACCOUNTS')
    const cr = basic.labels!['Code-Review'] as Record<string, unknown>
    expect(cr.disliked).toMatchObject({ username: 'core' })
    expect(cr.all).toEqual([
      {
        _account_id: core.id,
        name: core.name,
        email: core.email,
        username: 'core',
        display_name: core.name,
        value: -1,
        date: expect.any(String),
      },
      // ci may not vote Code-Review: no value at all.
      { _account_id: ci.id, name: ci.name, email: ci.email, username: 'acme-ci', display_name: ci.name },
    ])
    expect(basic.reviewers).toEqual({
      REVIEWER: [expect.objectContaining({ username: 'core' })],
      CC: [expect.objectContaining({ username: 'acme-ci' })],
    })
    const detailed = await get('o=DETAILED_LABELS')
    const verified = (detailed.labels!.Verified as { all: Record<string, unknown>[] }).all
    expect(verified).toEqual([
      { _account_id: core.id },
      { _account_id: ci.id, value: 0, permitted_voting_range: { min: -1, max: 1 } },
    ])
    expect(basic.full_branch).toBe('refs/heads/master')
    const r = await call(`/a/changes/${id}/revisions/current/review`, {
      body: { labels: { Verified: -1 }, response_format_options: ['MESSAGES'] },
      as: ci,
    })
    const result = r.json() as {
      labels: unknown
      change_info: { messages: { message: string; accounts_in_message: unknown[] }[] }
    }
    expect(result.labels).toEqual({ Verified: -1 })
    expect(result.change_info.messages.at(-1)).toMatchObject({
      message: 'Patch Set 1: Verified-1',
      accounts_in_message: [],
    })
  })
})
