import { spawn, type ChildProcess } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { ImageError } from './errors.js'

export interface BootCheckOptions {
  image: string
  /** Disk format for -drive (default qcow2). */
  format?: string
  /** Direct kernel boot (images without a bootloader, e.g. built without partitions). */
  kernel?: string
  initrd?: string
  /** Kernel command line with a kernel (default: root=LABEL=cloudimg-rootfs console=ttyS0). */
  append?: string
  /** Text (or pattern) on the serial console that means "booted": a login prompt or the appliance's line. */
  marker?: string | RegExp
  accel?: 'auto' | 'kvm' | 'tcg'
  memoryMb?: number
  /** Whole boot deadline per attempt (default 5 min; TCG boots the test image in about 35 s). */
  timeoutMs?: number
  /**
   * A KVM that starts prints kernel messages within seconds; nested KVM here hangs before
   * printing anything. No console output within this time means: give up on KVM, use TCG.
   */
  kvmStartTimeoutMs?: number
  qemu?: string
  kvmDevice?: string
  onConsole?: (line: string) => void
  signal?: AbortSignal
}

export interface BootCheckResult {
  accel: 'kvm' | 'tcg'
  /** Why KVM was not used, when it was not. */
  kvmFallback?: string
  durationMs: number
  markerLine: string
}

export class BootCheckError extends ImageError {
  constructor(
    message: string,
    readonly consoleTail: string,
  ) {
    super(consoleTail ? `${message}\nlast console output:\n${consoleTail}` : message)
  }
}

export const DEFAULT_BOOT_MARKER = /login:/

// eslint-disable-next-line no-control-regex -- serial consoles paint with ESC [ sequences
const ANSI_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g
export const DEFAULT_KERNEL_APPEND = 'root=LABEL=cloudimg-rootfs console=ttyS0'

type Attempt =
  { ok: true; markerLine: string } | { ok: false; reason: string; silent: boolean; console: string }

export function qemuArguments(o: BootCheckOptions, accel: 'kvm' | 'tcg'): string[] {
  const args = ['-machine', `accel=${accel}`, '-m', String(o.memoryMb ?? 1024), '-smp', '1']
  // snapshot=on: the boot writes to a temporary overlay, never to the image about to be published.
  args.push('-drive', `file=${o.image},format=${o.format ?? 'qcow2'},if=virtio,snapshot=on`)
  if (o.kernel) {
    args.push('-kernel', o.kernel)
    if (o.initrd) args.push('-initrd', o.initrd)
    args.push('-append', o.append ?? DEFAULT_KERNEL_APPEND)
  }
  args.push('-display', 'none', '-serial', 'stdio', '-monitor', 'none', '-nic', 'none', '-no-reboot')
  return args
}

/**
 * Boots the image under qemu and waits for the marker on the serial console. With accel 'auto'
 * it tries KVM when /dev/kvm is usable and falls back to TCG when KVM fails or stays silent.
 */
export async function bootCheck(o: BootCheckOptions): Promise<BootCheckResult> {
  const started = Date.now()
  const accel = o.accel ?? 'auto'
  let kvmFallback: string | undefined
  if (accel !== 'tcg') {
    const device = o.kvmDevice ?? '/dev/kvm'
    const usable = await access(device, constants.R_OK | constants.W_OK).then(
      () => true,
      () => false,
    )
    if (usable) {
      const r = await attempt(o, 'kvm', o.kvmStartTimeoutMs ?? 20_000)
      if (r.ok) return { accel: 'kvm', durationMs: Date.now() - started, markerLine: r.markerLine }
      if (accel === 'kvm' || !r.silent) {
        // A KVM guest that printed and then failed is the image's fault, not the accelerator's.
        throw new BootCheckError(`boot-check of ${o.image} under KVM: ${r.reason}`, r.console)
      }
      kvmFallback = r.reason
    } else {
      if (accel === 'kvm') throw new ImageError(`boot-check: accel kvm requested but ${device} is not usable`)
      kvmFallback = `${device} is not usable`
    }
  }
  const r = await attempt(o, 'tcg', undefined)
  if (!r.ok) throw new BootCheckError(`boot-check of ${o.image} under TCG: ${r.reason}`, r.console)
  return {
    accel: 'tcg',
    durationMs: Date.now() - started,
    markerLine: r.markerLine,
    ...(kvmFallback ? { kvmFallback } : {}),
  }
}

function attempt(
  o: BootCheckOptions,
  accel: 'kvm' | 'tcg',
  silenceLimitMs: number | undefined,
): Promise<Attempt> {
  const marker = o.marker ?? DEFAULT_BOOT_MARKER
  const matches = (line: string) => (typeof marker === 'string' ? line.includes(marker) : marker.test(line))
  const timeoutMs = o.timeoutMs ?? 300_000
  return new Promise((resolve) => {
    let child: ChildProcess
    try {
      child = spawn(o.qemu ?? 'qemu-system-x86_64', qemuArguments(o, accel), {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    } catch (e) {
      return resolve({ ok: false, reason: (e as Error).message, silent: true, console: '' })
    }
    let consoleText = ''
    let pending = ''
    let sawOutput = false
    let settled = false
    const timers: NodeJS.Timeout[] = []
    const finish = (r: Attempt) => {
      if (settled) return
      settled = true
      for (const t of timers) clearTimeout(t)
      o.signal?.removeEventListener('abort', onAbort)
      child.kill('SIGKILL')
      resolve(r)
    }
    const tail = () => consoleText.split('\n').slice(-20).join('\n')
    const onAbort = () => finish({ ok: false, reason: 'cancelled', silent: false, console: tail() })
    o.signal?.addEventListener('abort', onAbort)
    const onLine = (raw: string) => {
      // Serial consoles paint with escape sequences and CRs; markers are matched on plain text.
      const line = raw.replace(ANSI_ESCAPE, '').replace(/\r/g, '')
      o.onConsole?.(line)
      if (matches(line)) finish({ ok: true, markerLine: line.trim() })
    }
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (chunk: string) => {
      sawOutput = true
      consoleText = (consoleText + chunk).slice(-16_384)
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const l of lines) onLine(l)
      // A login prompt has no newline after it.
      if (pending) {
        const plain = pending.replace(ANSI_ESCAPE, '').replace(/\r/g, '')
        if (matches(plain)) finish({ ok: true, markerLine: plain.trim() })
      }
    })
    let stderr = ''
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (c: string) => (stderr = (stderr + c).slice(-4096)))
    child.on('error', (e) =>
      finish({ ok: false, reason: `cannot run qemu: ${e.message}`, silent: true, console: '' }),
    )
    child.on('close', (code) =>
      finish({
        ok: false,
        reason: `qemu exited (${code}) before the marker ${String(marker)}${stderr ? `: ${stderr.trim()}` : ''}`,
        silent: !sawOutput,
        console: tail(),
      }),
    )
    if (silenceLimitMs !== undefined) {
      timers.push(
        setTimeout(() => {
          if (!sawOutput)
            finish({
              ok: false,
              reason: `no console output within ${silenceLimitMs / 1000} s`,
              silent: true,
              console: '',
            })
        }, silenceLimitMs),
      )
    }
    timers.push(
      setTimeout(
        () =>
          finish({
            ok: false,
            reason: `no ${String(marker)} on the console within ${timeoutMs / 1000} s`,
            silent: !sawOutput,
            console: tail(),
          }),
        timeoutMs,
      ),
    )
  })
}
