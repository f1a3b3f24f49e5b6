import { spawn } from 'node:child_process'
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Exec } from '@stackci/exec'
import { ScrubStream, copyScrubbed } from './scrub-stream.js'

/**
 * What a devstack-tempest job publishes (devstack .zuul.yaml zuul_copy_output,
 * roles/devstack-project-conf, roles/export-devstack-journal), as copy instructions.
 */
export interface LogItem {
  /** A file or directory on the node. */
  from: string
  /** Path under the log directory, before the .txt renaming. */
  to: string
}

export interface LogListOptions {
  dest: string
  /** devstack's LOGFILE as devstack resolves it. */
  logfile?: string
  /** Root of the service config dirs (/etc); tests point it at a fixture. */
  etcRoot: string
  /** Short names whose /etc/<name> is collected: the job's projects and plugins, plus the core services. */
  etcNames: string[]
}

/** Core services devstack configures under /etc/<name> whatever the job enables. */
export const CORE_ETC_NAMES = [
  'keystone',
  'nova',
  'neutron',
  'glance',
  'cinder',
  'placement',
  'swift',
  'ironic',
  'openstack',
]

export function devstackLogList(o: LogListOptions): LogItem[] {
  const devstackDir = join(o.dest, 'devstack')
  const items: LogItem[] = [
    { from: join(devstackDir, 'local.conf'), to: 'local.conf' },
    { from: join(devstackDir, 'localrc'), to: 'localrc' },
    { from: join(devstackDir, '.localrc.auto'), to: '.localrc.auto' },
    { from: join(devstackDir, '.stackenv'), to: '.stackenv' },
    { from: join(o.dest, 'tempest', 'etc', 'tempest.conf'), to: 'tempest.conf' },
  ]
  const logDirs = new Set([join(o.dest, 'logs')])
  if (o.logfile) logDirs.add(dirname(resolve(o.logfile)))
  for (const d of logDirs) for (const f of logDirFiles(d)) items.push({ from: f.from, to: f.to })
  for (const name of [...new Set([...o.etcNames, ...CORE_ETC_NAMES])]) {
    items.push({ from: join(o.etcRoot, name), to: join('etc', name) })
  }
  return items
}

/**
 * The files of devstack's log directory. devstack writes LOGFILE.<timestamp> and points LOGFILE
 * at it with a symlink: publish each link under its own name with the target's content, and skip
 * the timestamped targets so nothing is published twice.
 */
function logDirFiles(dir: string): LogItem[] {
  if (!existsSync(dir)) return []
  const entries = readdirSync(dir, { withFileTypes: true })
  const targets = new Set<string>()
  for (const e of entries) {
    if (e.isSymbolicLink()) {
      try {
        targets.add(realpathSync(join(dir, e.name)))
      } catch {
        // dangling link: nothing to skip
      }
    }
  }
  const items: LogItem[] = []
  for (const e of entries) {
    const from = join(dir, e.name)
    if (!e.isSymbolicLink() && targets.has(realpathSync(from))) continue
    if (e.isSymbolicLink() && !existsSync(from)) continue
    items.push({ from, to: e.name })
  }
  return items
}

const TO_TXT = new Set(['conf', 'log', 'localrc', 'stackenv', 'auto', 'ini', 'yaml', 'json'])

/**
 * Zuul's stage-output `extensions_to_txt` renaming, so a browser shows the file instead of
 * downloading it: `zuul.conf` -> `zuul_conf.txt`. Dotfiles lose the dot (`.localrc.auto` ->
 * `localrc_auto.txt`): a hidden file in a published log tree is one nobody finds.
 */
export function txtName(name: string): string {
  const visible = name.startsWith('.') ? name.slice(1) : name
  if (TO_TXT.has(visible)) return `${visible}.txt`
  const m = /^(.+)\.([A-Za-z0-9]+)$/.exec(visible)
  if (m && TO_TXT.has(m[2]!.toLowerCase())) return `${m[1]}_${m[2]}.txt`
  return visible
}

export interface CollectResult {
  /** Files written, relative to the log dir. */
  written: string[]
  /** Sources that did not exist (normal: a failed stack.sh leaves little behind). */
  absent: string[]
  /** Sources that could not be read, with why. */
  errors: string[]
}

/** Copies every item into logDir, renamed with txtName and scrubbed of every secret. */
export async function collectLogs(
  items: LogItem[],
  logDir: string,
  secrets: readonly string[],
): Promise<CollectResult> {
  const result: CollectResult = { written: [], absent: [], errors: [] }
  mkdirSync(logDir, { recursive: true })
  const copy = async (from: string, rel: string): Promise<void> => {
    let st
    try {
      st = statSync(from)
    } catch {
      result.absent.push(from)
      return
    }
    const parts = rel.split('/')
    const renamed = [...parts.slice(0, -1), st.isDirectory() ? parts.at(-1)! : txtName(parts.at(-1)!)].join(
      '/',
    )
    const to = join(logDir, renamed)
    try {
      if (st.isDirectory()) {
        mkdirSync(to, { recursive: true })
        for (const name of readdirSync(from).sort()) await copy(join(from, name), `${rel}/${name}`)
      } else if (st.isFile()) {
        mkdirSync(dirname(to), { recursive: true })
        await copyScrubbed(from, to, secrets)
        result.written.push(renamed)
      }
    } catch (e) {
      result.errors.push(`${from}: ${(e as Error).message}`)
    }
  }
  for (const item of items) await copy(item.from, item.to)
  return result
}

/**
 * Exports the journal since the job started (export-devstack-journal) as text. Returns a note
 * instead of failing where there is no journal to read: containers and runners without systemd.
 */
export async function exportJournal(
  since: Date,
  outFile: string,
  secrets: readonly string[],
  exec: Exec,
): Promise<{ written: boolean; note?: string }> {
  const which = await exec('sh', ['-c', 'command -v journalctl'])
  if (which.code !== 0) return { written: false, note: 'journalctl is not installed: no journal collected' }
  const args = ['--no-pager', '-o', 'short-precise', '--since', `@${Math.floor(since.getTime() / 1000)}`]
  mkdirSync(dirname(outFile), { recursive: true })
  const child = spawn(which.stdout.trim(), args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  const exited = new Promise<number>((res) => child.on('close', (code) => res(code ?? 1)))
  await pipeline(child.stdout, new ScrubStream(secrets), createWriteStream(outFile))
  const code = await exited
  if (code !== 0) {
    rmSync(outFile, { force: true })
    return { written: false, note: `journalctl exited ${code}: ${stderr.trim().split('\n')[0] ?? ''}` }
  }
  // journalctl prints "-- No entries --" and exits 0 when there is no journal (containers).
  const size = statSync(outFile).size
  if (size === 0 || (size < 100 && /^-- No entries --\s*$/.test(readFileSync(outFile, 'utf8')))) {
    rmSync(outFile, { force: true })
    const why = stderr.trim().split('\n')[0]
    return {
      written: false,
      note: `the journal has no entries since the job started${why ? ` (${why})` : ''}`,
    }
  }
  return { written: true }
}
