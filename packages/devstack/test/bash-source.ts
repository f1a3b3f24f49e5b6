import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './git-fixtures.js'

/**
 * Extracts [[local|localrc]] the way devstack's extract_localrc_section does (the lines between
 * the header and the next [[phase|file]] header), sources it in a clean bash with the devstack
 * functions it calls recorded, and returns every variable it set and every call it made.
 */
export function sourceLocalrc(
  localConf: string,
  env: Record<string, string> = {},
): { vars: Map<string, string>; calls: string[]; localrc: string } {
  const lines = localConf.split('\n')
  const out: string[] = []
  let inLocal = false
  for (const line of lines) {
    const header = /^\[\[(.+)\|(.*)\]\]/.exec(line)
    if (header) {
      inLocal = header[1] === 'local' && header[2] === 'localrc'
      continue
    }
    if (inLocal) out.push(line)
  }
  const dir = tempDir('stackci-localrc-')
  const localrc = join(dir, '.localrc.auto')
  writeFileSync(localrc, out.join('\n'))
  const script = `
    set -e
    calls=()
    enable_service() { calls+=("enable_service $*"); }
    disable_service() { calls+=("disable_service $*"); }
    disable_all_services() { calls+=("disable_all_services"); }
    enable_plugin() { calls+=("enable_plugin $*"); }
    before=$(compgen -v | sort)
    source "$1"
    for n in $(comm -13 <(echo "$before") <(compgen -v | grep -v '^before$' | sort)) ${Object.keys(env).join(' ')}; do
      [ "$n" = calls ] || [ "$n" = n ] && continue
      printf 'V\\0%s\\0%s\\0' "$n" "\${!n}"
    done
    for c in "\${calls[@]}"; do printf 'C\\0%s\\0' "$c"; done
  `
  const raw = execFileSync('/bin/bash', ['-c', script, 'bash', localrc], {
    // stdin not a socket, HOME empty: otherwise bash may read ~/.bashrc (its rshd heuristic).
    env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  })
  const parts = raw.split('\0')
  const vars = new Map<string, string>()
  const calls: string[] = []
  for (let i = 0; i < parts.length - 1;) {
    if (parts[i] === 'V') {
      vars.set(parts[i + 1]!, parts[i + 2]!)
      i += 3
    } else if (parts[i] === 'C') {
      calls.push(parts[i + 1]!)
      i += 2
    } else throw new Error(`unexpected bash output at ${i}: ${parts[i]}`)
  }
  return { vars, calls, localrc: out.join('\n') }
}
