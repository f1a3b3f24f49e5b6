import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { nodeExec } from '@stackci/exec'
import { afterAll, describe, expect, it } from 'vitest'
import { prepareStackUser } from '../src/index.js'
import { tempDir } from './git-fixtures.js'

// A user of this test's own, removed afterwards; the machine runs the tests as root, like a runner.
const NAME = `stackci-u${process.pid}`

afterAll(() => {
  try {
    execFileSync('userdel', [NAME], { stdio: 'ignore' })
  } catch {
    // never created
  }
})

describe('the stack user', () => {
  it('is created once, gets sudo and $DEST, and preparing it again changes nothing', async () => {
    const root = tempDir()
    const dest = join(root, 'opt', 'stack')
    const sudoersDir = join(root, 'sudoers.d')
    mkdirSync(join(dest, 'nova'), { recursive: true })
    mkdirSync(sudoersDir)
    const opts = { home: dest, sudo: true, sudoersDir, chown: [dest], exec: nodeExec }
    const first = await prepareStackUser(NAME, opts)
    expect(first.created).toBe(true)
    expect(first.user).toMatchObject({ name: NAME, home: dest, switchUser: true })
    expect(statSync(join(dest, 'nova')).uid).toBe(first.user.uid)
    const sudoers = join(sudoersDir, `50_stackci_${NAME.replace(/-/g, '_')}`)
    expect(readFileSync(sudoers, 'utf8')).toBe(`${NAME} ALL=(root) NOPASSWD:ALL\n`)
    expect(statSync(sudoers).mode & 0o777).toBe(0o440)
    execFileSync('visudo', ['-c', '-f', sudoers])

    const again = await prepareStackUser(NAME, opts)
    expect(again.created).toBe(false)
    expect(again.user).toEqual(first.user)
    expect(readFileSync(sudoers, 'utf8')).toBe(`${NAME} ALL=(root) NOPASSWD:ALL\n`)
  })

  it('refuses root and names that are not user names', async () => {
    const opts = { home: '/nonexistent', sudo: false, chown: [], exec: nodeExec }
    await expect(prepareStackUser('root', opts)).rejects.toThrow(
      /stack-user: devstack refuses to run as root/,
    )
    await expect(prepareStackUser('Bad Name', opts)).rejects.toThrow(
      /stack-user: 'Bad Name' is not a valid user name/,
    )
  })
})
