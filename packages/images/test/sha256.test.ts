import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatSha256File, parseSha256File, sha256File } from '../src/sha256.js'
import { makeQcow2, tempDir } from './qcow2-fixture.js'

describe('sha256', () => {
  it('agrees with sha256sum, and sha256sum -c accepts the file it writes', async () => {
    const dir = tempDir()
    const img = makeQcow2(dir, 'app', 3)
    const ours = await sha256File(img)
    const theirs = execFileSync('sha256sum', [img], { encoding: 'utf8' }).split(' ')[0]
    expect(ours.sha256).toBe(theirs)
    sha256sumCheck(dir, formatSha256File(ours.sha256, 'app.qcow2'))
  })

  it('parses sha256sum files by name and rejects ones without the file', () => {
    const d = 'ab'.repeat(32)
    expect(parseSha256File(`${'cd'.repeat(32)}  other\n${d.toUpperCase()} *app.qcow2\n`, 'app.qcow2')).toBe(d)
    expect(parseSha256File(`${d}\n`, 'app.qcow2')).toBe(d)
    expect(() => parseSha256File('nonsense', 'app.qcow2', 'x.sha256')).toThrow(
      "x.sha256: no sha256 digest for 'app.qcow2'",
    )
  })
})

function sha256sumCheck(dir: string, text: string) {
  execFileSync(
    'sh',
    ['-c', `printf '%s' "$1" > app.qcow2.sha256 && sha256sum -c app.qcow2.sha256`, 'sh', text],
    { cwd: join(dir) },
  )
}
