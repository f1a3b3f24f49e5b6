import { spawn } from 'node:child_process'
import type { StackUser } from './stack-user.js'

export type StackResult = 'SUCCESS' | 'FAILURE' | 'TIMED_OUT'

export interface RunStackOptions {
  /** $DEST/devstack */
  devstackDir: string
  user: StackUser
  timeoutMs: number
  /** Each output line of stack.sh (stdout and stderr together, as `./stack.sh 2>&1`). */
  onLine: (line: string) => void
  /** Between SIGTERM to the process group and SIGKILL. */
  killGraceMs?: number
  /** PATH for stack.sh; the runner's environment (tokens, inputs) is not passed on. */
  path?: string
  /**
   * Variables passed through to stack.sh, so localrc can use what earlier steps produced
   * (`$STACKCI_APPLIANCE_IMAGE`): the caller chooses them, nothing else of its environment goes.
   */
  passEnv?: Record<string, string>
}

/** The variables of an environment that stackci passes to stack.sh: those named STACKCI_*. */
export function stackciEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (/^STACKCI_[A-Z0-9_]+$/.test(k) && v !== undefined) out[k] = v
  return out
}

export interface StackRun {
  result: StackResult
  exitCode: number | null
  signal: NodeJS.Signals | null
  durationMs: number
}

/**
 * Runs ./stack.sh as the stack user in a process group of its own, so a timeout stops everything
 * it started (its output filters, a hung pip) and not just the shell. The environment is built
 * from scratch: devstack must not see the runner's tokens.
 */
export function runStack(o: RunStackOptions): Promise<StackRun> {
  const env: NodeJS.ProcessEnv = {
    ...o.passEnv,
    HOME: o.user.home,
    USER: o.user.name,
    LOGNAME: o.user.name,
    SHELL: '/bin/bash',
    PATH: o.path ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
  }
  const shell = ['bash', '-c', 'exec ./stack.sh 2>&1']
  const [file, args] = o.user.switchUser
    ? ['runuser', ['-u', o.user.name, '--', ...shell]]
    : [shell[0]!, shell.slice(1)]
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: o.devstackDir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let buf = ''
    const feed = (chunk: string): void => {
      buf += chunk
      let nl
      while ((nl = buf.indexOf('\n')) >= 0) {
        o.onLine(buf.slice(0, nl))
        buf = buf.slice(nl + 1)
      }
    }
    child.stdout.setEncoding('utf8').on('data', feed)
    child.stderr.setEncoding('utf8').on('data', feed)
    let timedOut = false
    let killTimer: NodeJS.Timeout | undefined
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-child.pid!, signal)
      } catch {
        // the group is already gone
      }
    }
    const timer = setTimeout(() => {
      timedOut = true
      killGroup('SIGTERM')
      killTimer = setTimeout(() => killGroup('SIGKILL'), o.killGraceMs ?? 10_000)
    }, o.timeoutMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      // Read what is still in the pipes; something stack.sh left in the background may hold them
      // open for good, so stop waiting after a moment.
      const ended = Promise.all(
        [child.stdout, child.stderr].map(
          (s) => new Promise<void>((res) => (s.readableEnded ? res() : s.once('end', res))),
        ),
      )
      let capTimer: NodeJS.Timeout | undefined
      const cap = new Promise<void>((res) => (capTimer = setTimeout(res, 2_000)))
      void Promise.race([ended, cap]).then(() => {
        clearTimeout(capTimer)
        if (killTimer) {
          clearTimeout(killTimer)
          killGroup('SIGKILL')
        }
        child.stdout.destroy()
        child.stderr.destroy()
        if (buf) o.onLine(buf)
        resolve({
          result: timedOut ? 'TIMED_OUT' : code === 0 ? 'SUCCESS' : 'FAILURE',
          exitCode: code,
          signal,
          durationMs: Date.now() - started,
        })
      })
    })
  })
}

/**
 * The title of a devstack phase when a line is the xtrace of an echo_summary call, which is how
 * stack.sh marks its steps ("+ ./stack.sh:main:770  echo_summary 'Installing package prerequisites'").
 */
export function phaseTitle(line: string): string | undefined {
  const m = /(?:^|\s)echo_summary\s+(['"]?)(.+?)\1\s*$/.exec(line)
  return m ? m[2] : undefined
}
