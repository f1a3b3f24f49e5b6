import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { actionDir, findLeaks, runAction, type ActionRun } from '../../../test/harness/index.js'
import { buildLocalConf, parseJob } from '@stackci/devstack'
import { git } from '../../../packages/devstack/test/git-fixtures.js'
import { resolvedLogfile } from '../src/setup.js'
import { PASSWORDS, jobYaml, scratch } from './devstack-fixture.js'

/** A user of the tests' own; created by the action itself, like `stack` on a runner. */
const USER = 'stackci-ds-test'
const SUDOERS = `/etc/sudoers.d/50_stackci_${USER.replace(/-/g, '_')}`
const SECRETS = Object.values(PASSWORDS)

afterAll(() => rmSync(SUDOERS, { force: true }))

/**
 * ::error:: annotations the runner would act on: it ignores commands between
 * ::stop-commands::TOKEN and ::TOKEN:: (the harness's parser does not model that).
 */
function liveErrors(stdout: string): string[] {
  let stopped: string | undefined
  const out: string[] = []
  for (const line of stdout.split('\n')) {
    if (stopped) {
      if (line === `::${stopped}::`) stopped = undefined
      continue
    }
    const stop = /^::stop-commands::(.+)$/.exec(line)
    if (stop) stopped = stop[1]
    const err = /^::error(?: [^:]*)?::(.*)$/.exec(line)
    if (err) out.push(err[1]!)
  }
  return out
}

/** Whether a process runs; a zombie waiting for init to reap it has stopped. */
async function stillRunning(pid: number): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    let state: string | undefined
    try {
      state = /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1]
    } catch {
      return false
    }
    if (state === 'Z') return false
    await new Promise((r) => setTimeout(r, 100))
  }
  return true
}

function files(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name))
      else out.push(join(d, e.name))
    }
  }
  if (existsSync(dir)) walk(dir)
  return out.sort()
}

async function setup(
  extra: Record<string, string> = {},
  inputs: Record<string, string> = {},
  s = scratch(),
  env: Record<string, string> = {},
): Promise<{ run: ActionRun; s: ReturnType<typeof scratch>; logDir: string }> {
  writeFileSync(join(s.workspace, 'devstack-job.yaml'), jobYaml(s.pluginRemote, extra))
  const logDir = join(s.root, 'logs')
  const run = await runAction(actionDir('setup-devstack'), {
    dirs: { root: s.root, workspace: s.workspace },
    env,
    inputs: {
      config: 'devstack-job.yaml',
      branch: 'stable/2024.1',
      dest: s.dest,
      'devstack-repo': `file://${s.devstackRemote}`,
      'log-dir': logDir,
      'stack-user': USER,
      'stack-user-sudo': 'false',
      'etc-dir': s.etc,
      ...inputs,
    },
  })
  return { run, s, logDir }
}

describe('setup-devstack', () => {
  it('dry-run: clones devstack at the target branch, places the change, writes local.conf, collects logs', async () => {
    const { run, s, logDir } = await setup({}, { 'dry-run': 'true', 'stack-user-sudo': 'true' })
    expect(liveErrors(run.stdout)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.outputs.result).toBe('SUCCESS')
    expect(run.outputs['log-dir']).toBe(logDir)
    expect(run.outputs['local-conf']).toBe(join(s.dest, 'devstack', 'local.conf'))
    expect(Number(run.outputs['duration-seconds'])).toBeGreaterThanOrEqual(0)

    // devstack at stable/2024.1, the change at its exact commit, the plugin fetched from its remote.
    expect(readFileSync(join(s.dest, 'devstack', 'stackrc'), 'utf8')).toBe('# stable/2024.1\n')
    expect(git(join(s.dest, 'ironic'), 'rev-parse', 'HEAD')).toBe(s.projectSha)
    expect(git(join(s.dest, 'ironic'), 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('stable/2024.1')
    expect(existsSync(join(s.dest, 'baremetal-tempest-plugin', 'devstack', 'settings'))).toBe(true)
    expect(readFileSync(join(s.dest, 'virtualbmc', 'setup.cfg'), 'utf8')).toContain('virtualbmc')

    const conf = readFileSync(join(s.dest, 'devstack', 'local.conf'), 'utf8')
    expect(conf).toContain(`DEST="${s.dest}"\n`)
    expect(conf).toContain('ERROR_ON_CLONE="True"\n')
    expect(conf).toContain('LIBS_FROM_GIT="ironic,baremetal-tempest-plugin,virtualbmc"\n')
    expect(conf).toContain(`TEMPEST_PLUGINS="${s.dest}/baremetal-tempest-plugin"\n`)
    // The tempest plugin requires ironic: a real topological order, not the alphabetical one.
    expect(conf).toMatch(
      /enable_plugin ironic https:\S+\nenable_plugin baremetal-tempest-plugin file:\S+\n\n\[\[test-config/,
    )

    // The stack user exists, owns $DEST and may sudo; stack.sh was not run.
    const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }))
    expect(execFileSync('stat', ['-c', '%u', join(s.dest, 'ironic')], { encoding: 'utf8' }).trim()).toBe(
      String(uid),
    )
    expect(readFileSync(SUDOERS, 'utf8')).toBe(`${USER} ALL=(root) NOPASSWD:ALL\n`)
    expect(run.groups).not.toContain('stack.sh')
    expect(existsSync(join(logDir, 'stack_sh_output.txt'))).toBe(false)

    const collected = files(logDir).map((f) => f.slice(logDir.length + 1))
    expect(collected).toEqual(
      expect.arrayContaining(['local_conf.txt', 'etc/ironic/ironic_conf.txt', 'etc/nova/nova_conf.txt']),
    )
    expect(readFileSync(join(logDir, 'local_conf.txt'), 'utf8')).toContain('ADMIN_PASSWORD="********"')
    expect(run.masks).toEqual(expect.arrayContaining(SECRETS))
    expect(findLeaks(run, SECRETS, files(logDir))).toEqual([])
    expect(run.summary).toContain('setup-devstack: SUCCESS')
    expect(run.summary).toContain('dry run')
  })

  it('runs stack.sh as the stack user, folds its phases into groups, and collects scrubbed logs', async () => {
    const { run, s, logDir } = await setup(
      { ASTARA_DEV_APPLIANCE_URL: 'file://$STACKCI_APPLIANCE_IMAGE' },
      {},
      scratch(),
      { STACKCI_APPLIANCE_IMAGE: '/runner/temp/appliance.qcow2', GITHUB_TOKEN: 'ghs_runnertoken123' },
    )
    expect(liveErrors(run.stdout)).toEqual([])
    expect(run.outputs.result).toBe('SUCCESS')
    expect(run.groups).toEqual(
      expect.arrayContaining([
        'stack.sh',
        'Checking the checkouts in DEST',
        'Configuring services',
        'Finishing',
      ]),
    )
    expect(run.log).toContain(USER)
    expect(run.log).toContain(`checkout ${s.dest}/ironic: ${s.projectSha}`)
    expect(run.log).toContain('plugins: ironic,baremetal-tempest-plugin')
    // What earlier steps produced reaches devstack; the runner's token does not.
    expect(run.log).toContain('appliance image: file:///runner/temp/appliance.qcow2')
    expect(run.log).toContain('runner token: not passed')
    const collected = files(logDir).map((f) => f.slice(logDir.length + 1))
    expect(collected).toEqual(
      expect.arrayContaining([
        'devstacklog.txt',
        'devstacklog.txt.summary',
        'local_conf.txt',
        'localrc_auto.txt',
        'stackenv.txt',
        'tempest_conf.txt',
        'stack_sh_output.txt',
        'etc/ironic/ironic_conf.txt',
      ]),
    )
    // devstack's xtrace prints passwords; none may reach the runner log or an artifact.
    expect(readFileSync(join(logDir, 'devstacklog.txt'), 'utf8')).toContain('admin_password = ********')
    expect(readFileSync(join(logDir, 'tempest_conf.txt'), 'utf8')).toContain('admin_password = ********')
    expect(findLeaks(run, SECRETS, files(logDir))).toEqual([])
    // A workflow command printed by the code under test arrives while commands are stopped.
    const lines = run.stdout.split('\n')
    const injected = lines.indexOf('::error::injected by the change under test')
    expect(injected).toBeGreaterThan(0)
    // The runner (and the harness) read it as plain log: the change cannot forge an annotation.
    expect(run.errors).not.toContain('injected by the change under test')
    expect(run.log).toContain('::error::injected by the change under test')
    const marker = lines
      .slice(0, injected)
      .findLast((l) => /^::(stop-commands::\S+|[0-9a-f-]{36}::)$/.test(l))
    expect(marker).toMatch(/^::stop-commands::/)
  })

  it('runs again on the same host: $DEST already belongs to the stack user, the change is placed afresh', async () => {
    const first = await setup({}, { 'dry-run': 'true' })
    expect(first.run.outputs.result).toBe('SUCCESS')
    const { s } = first
    const project = join(s.workspace, 'ironic')
    const oldSha = git(project, 'rev-parse', 'HEAD')
    git(project, 'commit', '-q', '--allow-empty', '-m', 'patch set 2')
    const newSha = git(project, 'rev-parse', 'HEAD')
    expect(newSha).not.toBe(oldSha)
    const second = await setup({}, { 'dry-run': 'true' }, s)
    expect(liveErrors(second.run.stdout)).toEqual([])
    expect(second.run.outputs.result).toBe('SUCCESS')
    expect(git(join(s.dest, 'ironic'), 'rev-parse', 'HEAD')).toBe(newSha)
    expect(second.run.log.join('\n')).toMatch(new RegExp(`stack user ${USER} \\(uid \\d+\\)(?! created)`))
    expect(second.run.log).toContain(
      `plugin baremetal-tempest-plugin: ${git(join(s.dest, 'baremetal-tempest-plugin'), 'rev-parse', 'HEAD')} (in place)`,
    )
  })

  it('reports FAILURE when stack.sh fails, and still collects its logs', async () => {
    const { run, logDir } = await setup({ FIXTURE_MODE: 'fail' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.result).toBe('FAILURE')
    expect(liveErrors(run.stdout)).toEqual([`stack.sh failed (exit 1); logs in ${logDir}`])
    expect(readFileSync(join(logDir, 'devstacklog.txt'), 'utf8')).toContain('[ERROR] fixture asked to fail')
    expect(findLeaks(run, SECRETS, files(logDir))).toEqual([])
  })

  it('stops a hanging stack.sh and everything it started at the timeout: TIMED_OUT', async () => {
    const { run, s, logDir } = await setup({ FIXTURE_MODE: 'hang' }, { 'timeout-minutes': '0.05' })
    expect(run.outputs.result).toBe('TIMED_OUT')
    expect(liveErrors(run.stdout)).toEqual([`stack.sh did not finish in 0.05 minutes; logs in ${logDir}`])
    expect(run.durationMs).toBeLessThan(30_000)
    for (const f of ['hang-child.pid', 'hang-shell.pid']) {
      const pid = Number(readFileSync(join(s.dest, f), 'utf8'))
      expect(await stillRunning(pid), `${f}: ${pid}`).toBe(false)
    }
    expect(files(logDir).map((f) => f.slice(logDir.length + 1))).toContain('devstacklog.txt')
  })

  it('fails with the bad key of the job description named, and collects what there is', async () => {
    const { run, logDir } = await setup({ 'BAD-NAME': 'x' })
    expect(run.outputs.result).toBe('FAILURE')
    expect(liveErrors(run.stdout)).toHaveLength(1)
    expect(liveErrors(run.stdout)[0]).toMatch(
      /^config: .*devstack-job.yaml.localrc.BAD-NAME: not a shell variable name/,
    )
    expect(existsSync(logDir)).toBe(true)
  })

  it('fails naming the plugin when a plugin_requires target is not enabled', async () => {
    const s = scratch()
    const job = jobYaml(s.pluginRemote).replace(/ {2}ironic: https:\S+\n/, '')
    writeFileSync(join(s.workspace, 'job.yaml'), job)
    const run = await runAction(actionDir('setup-devstack'), {
      dirs: { root: s.root, workspace: s.workspace },
      inputs: {
        config: 'job.yaml',
        dest: s.dest,
        'devstack-repo': `file://${s.devstackRemote}`,
        'stack-user': USER,
        'stack-user-sudo': 'false',
        'etc-dir': s.etc,
        'dry-run': 'true',
      },
    })
    expect(run.outputs.result).toBe('FAILURE')
    expect(liveErrors(run.stdout)[0]).toMatch(
      /^render local.conf: plugins.baremetal-tempest-plugin: requires plugin 'ironic' \(plugin_requires in .*baremetal-tempest-plugin\/devstack\/settings\)/,
    )
    // Without a branch input and outside a pull request, devstack master is used.
    expect(readFileSync(join(s.dest, 'devstack', 'stackrc'), 'utf8')).toBe('# master\n')
  })

  it('rejects running devstack as root and a bad timeout by input name', async () => {
    const asRoot = await setup({}, { 'stack-user': 'root', 'dry-run': 'true' })
    expect(liveErrors(asRoot.run.stdout)).toEqual([
      "input 'stack-user': devstack refuses to run as root (stack.sh exits)",
    ])
    const s = scratch()
    const bad = await runAction(actionDir('setup-devstack'), {
      dirs: { root: s.root, workspace: s.workspace },
      inputs: { config: 'x.yaml', 'timeout-minutes': 'soon' },
    })
    expect(liveErrors(bad.stdout)).toEqual(["input 'timeout-minutes': expected a number > 0, got 'soon'"])
    expect(bad.outputs.result).toBe('FAILURE')
  })

  it('finds devstacklog.txt where the job’s LOGFILE resolves, TOP_DIR included', () => {
    const job = (localrc: Record<string, string>) => parseJob({ localrc: { ...PASSWORDS, ...localrc } })
    const dest = '/srv/stack'
    expect(resolvedLogfile(buildLocalConf(job({}), { dest }), dest)).toBe('/srv/stack/logs/devstacklog.txt')
    expect(resolvedLogfile(buildLocalConf(job({ LOGFILE: '$TOP_DIR/x.log' }), { dest }), dest)).toBe(
      '/srv/stack/devstack/x.log',
    )
    expect(resolvedLogfile(buildLocalConf(job({ LOGFILE: '' }), { dest }), dest)).toBeUndefined()
    expect(resolvedLogfile(undefined, dest)).toBe('/srv/stack/logs/devstacklog.txt')
  })
})
