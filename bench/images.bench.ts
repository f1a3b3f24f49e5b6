/**
 * Publishes a 2 GiB image to the GitHub test server (a separate process, as GitHub is) and
 * downloads it back, verified, and compares the throughput with `sha256sum` + `cp` of the same file
 * measured in the same run (target: ≥ 70 %), printing the peak RSS of this process (target:
 * ≤ 150 MB). STACKCI_BENCH_MIB changes the size.
 */
import { execFileSync, spawn } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { GitHubReleasesBackend, fetchImage, sha256File } from '../packages/images/src/index.js'

// What node + tsx + these modules take before any byte moves, to tell the baseline from the streams.
const baselineMb = (process.resourceUsage().maxRSS * 1024) / 1e6
const MIB = Number(process.env.STACKCI_BENCH_MIB ?? 2048)
const size = MIB * 1024 * 1024
const dir = mkdtempSync(join(tmpdir(), 'stackci-images-bench-'))
const image = join(dir, 'appliance.qcow2')

function seconds(f: () => void): number {
  const t = process.hrtime.bigint()
  f()
  return Number(process.hrtime.bigint() - t) / 1e9
}
async function secondsAsync(f: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint()
  await f()
  return Number(process.hrtime.bigint() - t) / 1e9
}
const mbps = (s: number) => `${(size / 1e6 / s).toFixed(0)} MB/s`

// Random bytes: nothing on the way (page cache, compression) can shortcut them.
const fd = openSync(image, 'w')
const chunk = Buffer.alloc(8 << 20)
for (let done = 0; done < size; done += chunk.length)
  writeSync(fd, randomFillSync(chunk), 0, Math.min(chunk.length, size - done))
closeSync(fd)

function reference(): number {
  const copy = join(dir, 'copy.qcow2')
  const t =
    seconds(() => execFileSync('sha256sum', [image])) + seconds(() => execFileSync('cp', [image, copy]))
  rmSync(copy)
  return t
}

const server = spawn(
  process.execPath,
  ['--import', 'tsx', resolve(import.meta.dirname, '../test/github-server/serve.ts'), 'stackci/appliance'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
)
const first = await createInterface({ input: server.stdout! })[Symbol.asyncIterator]().next()
const urls = JSON.parse(String(first.value)) as { server: string; api: string; token: string }

try {
  const ref1 = reference()
  const { sha256 } = await sha256File(image)
  const manifest = {
    name: 'appliance',
    version: '1',
    sourceCommit: '0'.repeat(40),
    elements: ['debian-minimal'],
    diskimageBuilderVersion: '3.13.0',
    buildTime: new Date().toISOString(),
    format: 'qcow2',
    sizeBytes: size,
    sha256,
  }
  const backend = new GitHubReleasesBackend({
    apiUrl: urls.api,
    serverUrl: urls.server,
    repository: 'stackci/appliance',
    token: urls.token,
  })
  const publish = await secondsAsync(() => backend.publish({ imagePath: image, manifest }))
  const download = await secondsAsync(() => fetchImage(backend, undefined, join(dir, 'dl')))
  rmSync(join(dir, 'dl'), { recursive: true })
  const ref2 = reference()
  const ref = Math.min(ref1, ref2)
  const serverHwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1]
  const rssMb = (process.resourceUsage().maxRSS * 1024) / 1e6

  console.log(`image: ${MIB} MiB of random data`)
  console.log(
    `reference  sha256sum + cp: ${ref.toFixed(2)} s  ${mbps(ref)}  (runs: ${ref1.toFixed(2)} s, ${ref2.toFixed(2)} s; best taken)`,
  )
  console.log(
    `publish    (hash while uploading, server stores + digests, publish): ${publish.toFixed(2)} s  ${mbps(publish)}  = ${((ref / publish) * 100).toFixed(0)} % of reference (target ≥ 70 %)`,
  )
  console.log(
    `download   (resolve, stream, hash while writing, verify): ${download.toFixed(2)} s  ${mbps(download)}  = ${((ref / download) * 100).toFixed(0)} % of reference (target ≥ 70 %)`,
  )
  console.log(
    `peak RSS   this process: ${rssMb.toFixed(0)} MB (target ≤ 150 MB; ${baselineMb.toFixed(0)} MB of it is node + tsx + modules before any byte moves); test server process: ${serverHwm ? (Number(serverHwm) / 1e3).toFixed(0) : '?'} MB`,
  )
} finally {
  server.kill('SIGTERM')
  rmSync(dir, { recursive: true, force: true })
}
