import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { nodeExec, type Exec } from '@stackci/exec'
import { describe, expect, it } from 'vitest'
import {
  ScrubStream,
  collectLogs,
  devstackLogList,
  exportJournal,
  phaseTitle,
  scrub,
  scrubber,
  txtName,
} from '../src/index.js'
import { tempDir } from './git-fixtures.js'

const SECRETS = ['secretadmin', 'pässwörd', 'shhh1']

function tree(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`)
      else out.push(`${rel}${e.name}`)
    }
  }
  walk(dir, '')
  return out.sort()
}

describe('log collection', () => {
  it('renames files the way Zuul stages them for browsers', () => {
    expect(txtName('local.conf')).toBe('local_conf.txt')
    expect(txtName('nova.conf')).toBe('nova_conf.txt')
    expect(txtName('tempest.log')).toBe('tempest_log.txt')
    expect(txtName('.localrc.auto')).toBe('localrc_auto.txt')
    expect(txtName('.stackenv')).toBe('stackenv.txt')
    expect(txtName('localrc')).toBe('localrc.txt')
    expect(txtName('devstacklog.txt')).toBe('devstacklog.txt')
    expect(txtName('api-paste.ini')).toBe('api-paste_ini.txt')
    expect(txtName('journal.gz')).toBe('journal.gz')
  })

  it('collects what a devstack-tempest job publishes, scrubbed, following devstack’s log symlinks', async () => {
    const root = tempDir()
    const dest = join(root, 'opt', 'stack')
    const devstack = join(dest, 'devstack')
    mkdirSync(join(dest, 'logs'), { recursive: true })
    mkdirSync(join(dest, 'tempest', 'etc'), { recursive: true })
    mkdirSync(devstack, { recursive: true })
    writeFileSync(join(devstack, 'local.conf'), '[[local|localrc]]\nADMIN_PASSWORD="secretadmin"\n')
    writeFileSync(join(devstack, '.localrc.auto'), 'DATABASE_PASSWORD="pässwörd"\n')
    writeFileSync(join(dest, 'tempest', 'etc', 'tempest.conf'), '[auth]\nadmin_password = secretadmin\n')
    const stamped = join(dest, 'logs', 'devstacklog.txt.2026-11-21-231500')
    writeFileSync(stamped, 'connecting to mysql://root:pässwörd@127.0.0.1\n')
    symlinkSync(stamped, join(dest, 'logs', 'devstacklog.txt'))
    writeFileSync(`${stamped}.summary`, 'summary\n')
    symlinkSync(`${stamped}.summary`, join(dest, 'logs', 'devstacklog.txt.summary'))
    symlinkSync(join(dest, 'logs', 'gone'), join(dest, 'logs', 'dangling'))
    const etc = join(root, 'etc')
    mkdirSync(join(etc, 'nova', 'rootwrap.d'), { recursive: true })
    writeFileSync(
      join(etc, 'nova', 'nova.conf'),
      '[database]\nconnection = mysql+pymysql://root:secretadmin@db/nova\n',
    )
    writeFileSync(join(etc, 'nova', 'rootwrap.d', 'compute.filters'), 'x\n')
    mkdirSync(join(etc, 'ironic'))
    writeFileSync(join(etc, 'ironic', 'ironic.conf'), '[DEFAULT]\n')
    mkdirSync(join(etc, 'unrelated'))
    writeFileSync(join(etc, 'unrelated', 'x.conf'), 'not collected\n')

    const items = devstackLogList({
      dest,
      logfile: join(dest, 'logs', 'devstacklog.txt'),
      etcRoot: etc,
      etcNames: ['ironic'],
    })
    const logDir = join(root, 'logs')
    const result = await collectLogs(items, logDir, SECRETS)
    expect(tree(logDir)).toEqual([
      'devstacklog.txt',
      'devstacklog.txt.summary',
      'etc/ironic/ironic_conf.txt',
      'etc/nova/nova_conf.txt',
      'etc/nova/rootwrap.d/compute.filters',
      'local_conf.txt',
      'localrc_auto.txt',
      'tempest_conf.txt',
    ])
    expect(result.errors).toEqual([])
    expect(result.absent).toContain(join(devstack, '.stackenv'))
    expect(readFileSync(join(logDir, 'devstacklog.txt'), 'utf8')).toBe(
      'connecting to mysql://root:********@127.0.0.1\n',
    )
    expect(readFileSync(join(logDir, 'local_conf.txt'), 'utf8')).toBe(
      '[[local|localrc]]\nADMIN_PASSWORD="********"\n',
    )
    for (const f of tree(logDir)) {
      const body = readFileSync(join(logDir, f), 'utf8')
      for (const s of SECRETS) expect(body, f).not.toContain(s)
    }
  })

  it('scrubs secrets split across stream chunks and inside huge lines, byte for byte elsewhere', async () => {
    const line = 'x'.repeat(3 << 20) + 'secretadmin' + 'y'.repeat(100)
    const input = Buffer.concat([
      Buffer.from('a pässwörd b\n'),
      Buffer.from([0, 255, 254]),
      Buffer.from(line),
    ])
    const chunks: Buffer[] = []
    for (let i = 0; i < input.length; i += 4093) chunks.push(input.subarray(i, i + 4093))
    // Split the first secret across two chunks as well.
    chunks.unshift(Buffer.from(''), input.subarray(0, 5))
    chunks.splice(2, 1, input.subarray(5, 4093))
    const out = await text(Readable.from(chunks).pipe(new ScrubStream(SECRETS)))
    expect(out.startsWith('a ******** b\n')).toBe(true)
    expect(out).not.toContain('secretadmin')
    expect(out.length).toBe(
      scrub(
        input.toString('latin1'),
        SECRETS.map((s) => Buffer.from(s).toString('latin1')),
      ).length,
    )
  })

  it('scrubs a longer secret whole though a shorter one that starts it comes first', () => {
    // setup-devstack's list puts the secrets read early before the rendered ones, in no length order.
    expect(scrub('pw=secretadmin2 x=secretadmin', ['secretadmin', 'secretadmin2'])).toBe(
      'pw=******** x=********',
    )
  })

  it('does the same in every scrubber: the one stack.sh lines go through, and the log stream', async () => {
    // Each puts the secrets in order once when it is made; none may rely on its caller for it.
    const secrets = ['secretadmin', 'secretadmin2']
    expect(scrubber(secrets)('pw=secretadmin2 x=secretadmin')).toBe('pw=******** x=********')
    const streamed = Readable.from([Buffer.from('pw=secretadmin2 x=secretadmin\n')]).pipe(
      new ScrubStream(secrets),
    )
    expect(await text(streamed)).toBe('pw=******** x=********\n')
  })

  it('exports the journal scrubbed, and skips it with a note where there is none', async () => {
    const root = tempDir()
    const fake = (name: string, script: string): Exec => {
      const bin = join(root, name)
      writeFileSync(bin, `#!/bin/sh\n${script}\n`, { mode: 0o755 })
      return async (file, args, o) =>
        file === 'sh' ? { code: 0, stdout: `${bin}\n`, stderr: '' } : nodeExec(file, args, o)
    }
    const out = join(root, 'journal.txt')
    const since = new Date(1_700_000_000_000)
    const ok = fake('ok', 'echo "args: $*"; echo "nova: login secretadmin"')
    expect(await exportJournal(since, out, SECRETS, ok)).toEqual({ written: true })
    expect(readFileSync(out, 'utf8')).toBe(
      'args: --no-pager -o short-precise --since @1700000000\nnova: login ********\n',
    )
    // What journalctl does in a container without systemd: exit 0, nothing but a marker.
    const none = fake('none', 'echo "-- No entries --"; echo "No journal files were found." >&2')
    expect(await exportJournal(since, out, SECRETS, none)).toEqual({
      written: false,
      note: 'the journal has no entries since the job started (No journal files were found.)',
    })
    expect(existsSync(out)).toBe(false)
    const broken = fake('broken', 'echo "Failed to open journal: Permission denied" >&2; exit 1')
    expect(await exportJournal(since, out, SECRETS, broken)).toEqual({
      written: false,
      note: 'journalctl exited 1: Failed to open journal: Permission denied',
    })
    const missing: Exec = async () => ({ code: 1, stdout: '', stderr: '' })
    expect(await exportJournal(since, out, SECRETS, missing)).toEqual({
      written: false,
      note: 'journalctl is not installed: no journal collected',
    })
  })
})

describe('devstack phases in stack.sh output', () => {
  it('takes the title from the xtrace of an echo_summary call, as devstack prints it', () => {
    // PS4 of stack.sh: '+ $(short_source):   ', the source padded to 40 columns.
    expect(
      phaseTitle(
        "+ ./stack.sh:main:800                      :   echo_summary 'Installing package prerequisites'",
      ),
    ).toBe('Installing package prerequisites')
    expect(phaseTitle('+ lib/nova:start_nova:1203               :   echo_summary "Starting Nova"')).toBe(
      'Starting Nova',
    )
    expect(phaseTitle('2026-11-21 23:15:00.123 | + ./stack.sh:main:1300 :   echo_summary Configuring')).toBe(
      'Configuring',
    )
    // The echo inside echo_summary, and ordinary lines, start no group.
    expect(
      phaseTitle('+ functions-common:echo_summary:472 :   echo -e Installing package prerequisites'),
    ).toBeUndefined()
    expect(phaseTitle('Installing package prerequisites')).toBeUndefined()
  })
})
