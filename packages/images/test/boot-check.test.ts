import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BootCheckError, bootCheck, qemuArguments } from '../src/boot-check.js'
import { tempDir } from './qcow2-fixture.js'

/**
 * A stand-in for qemu-system-x86_64 with the behaviours boot-check must tell apart: a KVM that
 * hangs without a word (nested KVM here), a guest that panics, a guest that boots. The real qemu
 * boot of a built image is in the slow suite.
 */
function fakeQemu(kvm: 'hang' | 'boot', tcg: 'boot' | 'panic'): string {
  const dir = tempDir()
  const path = join(dir, 'qemu')
  writeFileSync(
    path,
    `#!/bin/sh
case "$*" in
  *accel=kvm*) mode=${kvm} ;;
  *) mode=${tcg} ;;
esac
case $mode in
  hang) exec sleep 60 ;;
  boot) printf '[    0.000000] Linux version 6.1\\r\\n\\033[0;32m  OK  \\033[0m] Started stackci-appliance\\r\\nstackci-appliance 1.2.3 ready\\r\\n\\r\\ndebian login: '; exec sleep 60 ;;
  panic) printf 'Kernel panic - not syncing: VFS: Unable to mount root fs\\n'; exit 1 ;;
esac
`,
  )
  chmodSync(path, 0o755)
  return path
}

describe('boot-check', () => {
  it('falls back to TCG when KVM stays silent, and waits for the marker', async () => {
    const r = await bootCheck({
      image: '/img.qcow2',
      qemu: fakeQemu('hang', 'boot'),
      kvmDevice: '/dev/null',
      kvmStartTimeoutMs: 500,
    })
    expect(r.accel).toBe('tcg')
    expect(r.kvmFallback).toBe('no console output within 0.5 s')
    expect(r.markerLine).toBe('debian login:')
  })

  it('uses KVM when it boots, and matches a line the appliance prints', async () => {
    const r = await bootCheck({
      image: '/img.qcow2',
      qemu: fakeQemu('boot', 'panic'),
      kvmDevice: '/dev/null',
      marker: /stackci-appliance \S+ ready/,
    })
    expect(r).toMatchObject({ accel: 'kvm', markerLine: 'stackci-appliance 1.2.3 ready' })
  })

  it('fails with the console tail when the image does not boot', async () => {
    const err = await bootCheck({ image: '/img.qcow2', qemu: fakeQemu('hang', 'panic'), accel: 'tcg' }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(BootCheckError)
    expect((err as Error).message).toMatch(/under TCG: qemu exited \(1\) before the marker/)
    expect((err as Error).message).toContain('Kernel panic')
  })

  it('never writes to the image it boots', () => {
    const args = qemuArguments({ image: '/x.qcow2', kernel: '/k', initrd: '/i' }, 'tcg')
    expect(args).toContain('file=/x.qcow2,format=qcow2,if=virtio,snapshot=on')
    expect(args.join(' ')).toContain('-append root=LABEL=cloudimg-rootfs console=ttyS0')
  })
})
