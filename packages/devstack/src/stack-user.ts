import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { run, type Exec } from '@stackci/exec'
import { ContractError } from '@stackci/model'

/** The user stack.sh runs as, and whether stackci must switch to it (it runs as root on the runner). */
export interface StackUser {
  name: string
  uid: number
  gid: number
  home: string
  switchUser: boolean
}

export interface PrepareUserOptions {
  /** Home of a user created here: $DEST, as devstack's tools/create-stack-user.sh does. */
  home: string
  /** Grant passwordless sudo (stack.sh installs packages and writes /etc through sudo). */
  sudo: boolean
  /** Where the sudoers drop-in goes; /etc/sudoers.d on a real runner. */
  sudoersDir?: string
  /** Directories the user must own: $DEST. */
  chown: string[]
  exec: Exec
}

export interface PreparedUser {
  user: StackUser
  created: boolean
  sudoersFile?: string
}

/**
 * Makes sure `name` exists, may sudo, and owns $DEST; safe to run again (a re-run job, a runner
 * that is reused). stack.sh refuses root, so as root this creates and switches to the user; as a
 * normal user it can only be that user.
 */
export async function prepareStackUser(name: string, o: PrepareUserOptions): Promise<PreparedUser> {
  if (!/^[a-z_][a-z0-9_-]*\$?$/.test(name))
    throw new ContractError('stack-user', `'${name}' is not a valid user name`)
  if (name === 'root')
    throw new ContractError(
      'stack-user',
      'devstack refuses to run as root (stack.sh exits); name another user',
    )
  const uid = process.getuid?.() ?? -1
  const me = (await run(o.exec, 'id', ['-un'])).trim()
  if (uid !== 0) {
    if (me !== name) {
      throw new ContractError(
        'stack-user',
        `switching to '${name}' needs root, and this runs as '${me}'; set stack-user to '${me}' or run as root`,
      )
    }
    return { user: await lookupUser(name, false, o.exec), created: false }
  }
  let created = false
  if ((await o.exec('id', ['-u', name])).code !== 0) {
    const r = await o.exec('useradd', [
      '--create-home',
      '--home-dir',
      o.home,
      '--shell',
      '/bin/bash',
      '--user-group',
      name,
    ])
    // exit 9: another job created it meanwhile; that is the state we want.
    if (r.code !== 0 && r.code !== 9)
      throw new ContractError('stack-user', `useradd ${name} failed: ${r.stderr.trim()}`)
    created = r.code === 0
  }
  const prepared: PreparedUser = { user: await lookupUser(name, true, o.exec), created }
  if (o.sudo) {
    const dir = o.sudoersDir ?? '/etc/sudoers.d'
    if (!existsSync(dir)) throw new ContractError('stack-user', `${dir} does not exist; is sudo installed?`)
    const file = join(dir, `50_stackci_${name.replace(/[^a-z0-9_]/g, '_')}`)
    const line = `${name} ALL=(root) NOPASSWD:ALL\n`
    if (!existsSync(file) || readFileSync(file, 'utf8') !== line) writeFileSync(file, line, { mode: 0o440 })
    chmodSync(file, 0o440)
    prepared.sudoersFile = file
  }
  for (const dir of o.chown) {
    await run(o.exec, 'chown', ['-R', `${prepared.user.uid}:${prepared.user.gid}`, dir])
  }
  return prepared
}

async function lookupUser(name: string, switchUser: boolean, exec: Exec): Promise<StackUser> {
  const line = (await run(exec, 'getent', ['passwd', name])).trim()
  const f = line.split(':')
  return { name, uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '/', switchUser }
}
