import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { buildLocalConf, parseJobYaml, renderLocalConf } from '@stackci/devstack'
import { describe, expect, it } from 'vitest'
import { makePlugin } from '../../devstack/test/git-fixtures.js'
import { main } from '../src/main.js'
import { testContext } from './support/context.js'

const EXAMPLES = resolve(import.meta.dirname, '../../../workflows/examples/devstack')

const context = (cwd: string) => testContext({ cwd })

describe('stackci local-conf', () => {
  it('prints what the package renders for the example job, with notes on stderr', async () => {
    const job = join(EXAMPLES, 'ironic-redfish-driver.yaml')
    const t = context(tmpdir())
    expect(
      await main(['local-conf', job, '--dest', '/nonexistent/stack', '--branch', 'stable/2024.1'], t.ctx),
    ).toBe(0)
    const expected = renderLocalConf(
      buildLocalConf(parseJobYaml(readFileSync(job, 'utf8')), { dest: '/nonexistent/stack' }),
    )
    expect(t.out()).toBe(expected)
    expect(t.out()).toContain('DEST="/nonexistent/stack"\n')
    expect(t.err()).toContain('devstack: stable/2024.1, then unmaintained/2024.1, then 2024.1-eol\n')
    expect(t.err()).toContain('/nonexistent/stack does not exist')
  })

  it('orders plugins from the settings in --dest and turns ERROR_ON_CLONE on when all is in place', async () => {
    const root = mkdtempSync(join(tmpdir(), 'stackci-cli-localconf-'))
    const dest = join(root, 'stack')
    makePlugin(join(dest, 'zz-base'), 'zz-base')
    makePlugin(join(dest, 'aa-top'), 'aa-top', ['zz-base'])
    writeFileSync(
      join(root, 'job.yaml'),
      [
        'localrc: {ADMIN_PASSWORD: aaaa, DATABASE_PASSWORD: bbbb, RABBIT_PASSWORD: cccc, SERVICE_PASSWORD: dddd}',
        'plugins: {aa-top: https://example.org/aa-top, zz-base: https://example.org/zz-base}',
        'required_projects: [x/aa-top, x/zz-base]',
        '',
      ].join('\n'),
    )
    const t2 = context(root)
    expect(await main(['local-conf', 'job.yaml', '--dest', dest, '-o', 'out/local.conf'], t2.ctx)).toBe(0)
    expect(t2.out()).toBe('')
    const text = readFileSync(join(root, 'out', 'local.conf'), 'utf8')
    expect(text).toContain('ERROR_ON_CLONE="True"\n')
    expect(text).toMatch(/enable_plugin zz-base \S+\nenable_plugin aa-top \S+\n$/)
    expect(t2.err()).toContain('wrote out/local.conf')

    writeFileSync(
      join(root, 'more.yaml'),
      readFileSync(join(root, 'job.yaml'), 'utf8').replace('x/zz-base]', 'x/zz-base, x/nova]'),
    )
    const t3 = context(root)
    expect(await main(['local-conf', 'more.yaml', '--dest', dest], t3.ctx)).toBe(0)
    expect(t3.out()).not.toContain('ERROR_ON_CLONE')
    expect(t3.err()).toContain(`ERROR_ON_CLONE not set: nova missing from ${dest}\n`)
  })

  it('exits 1 naming the bad key, and 2 for a bad command line', async () => {
    const root = mkdtempSync(join(tmpdir(), 'stackci-cli-localconf-'))
    writeFileSync(join(root, 'bad.yaml'), 'localrc: {ADMIN_PASSWORD: x}\nservice: {}\n')
    const t = context(root)
    expect(await main(['local-conf', 'bad.yaml'], t.ctx)).toBe(1)
    expect(t.err()).toBe(
      'stackci local-conf: bad.yaml.service: unknown key (expected one of: name, description, localrc, local_conf, plugins, services, tempest_plugins, projects, required_projects)\n',
    )
    const t2 = context(root)
    expect(await main(['local-conf', 'missing.yaml'], t2.ctx)).toBe(2)
    expect(t2.err()).toMatch(/JOB.yaml 'missing.yaml' is not a file/)
    const t3 = context(root)
    expect(await main(['local-conf', 'bad.yaml', '--dest', 'relative'], t3.ctx)).toBe(2)
    expect(t3.err()).toMatch(/--dest must be an absolute path/)
  })
})
