import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, relative } from 'node:path'
import { once } from 'node:events'
import { spawn } from 'node:child_process'
import { GerritClient, formatVote, postReport } from '@stackci/gerrit'
import { LocalDirectoryBackend, fetchImage, sha256File } from '@stackci/images'
import type { ImageManifest, JobResult } from '@stackci/model'
import {
  gerritSource,
  branchPolicy,
  decideImage,
  fileMatcher,
  gitHubWorkflowApi,
  prepareChange,
  watchOnce,
  type WatchPolicy,
} from '@stackci/pipeline'
import {
  buildLocalConf,
  missingProjects,
  parseJobYaml,
  placeProjects,
  renderLocalConf,
  scrub,
  shouldErrorOnClone,
} from '@stackci/devstack'
import { nodeExec, run } from '@stackci/exec'
import { writeReports } from '@stackci/subunit'
import { startGerritServer } from '../../../../test/gerrit-server/index.js'
import { startGitHubServer } from '../../../../test/github-server/index.js'
import {
  actionsRoutes,
  addWorkflow,
  completeRun,
  findRun,
} from '../../../../test/github-server/routes/actions.js'
import { startLogServer } from './log-server.js'
import { DemoStepError, Progress } from './progress.js'
import { CI_WORKFLOW, SAMPLE, sampleChange, sampleDevstackJob, sampleFiles } from './sample.js'

export interface DemoOptions {
  write: (text: string) => void
  /** Where the artifacts end up (default: a new temporary directory); kept after the demo. */
  artifactsDir?: string
  /** Keep the Gerrit repositories, checkouts and publish location too. */
  keep?: boolean
  /** Upload a change that breaks a test, to see a failure reported and voted on. */
  breakTest?: boolean
  signal?: AbortSignal
}

export interface DemoResult {
  ok: boolean
  error?: DemoStepError
  artifactsDir: string
  /** The report as Gerrit stored it (with Gerrit's "Patch Set N: Verified+1" prefix). */
  storedComment?: string
  vote?: number
  job?: JobResult
}

const STEPS = 12

/**
 * The check pipeline end to end on this machine: Gerrit (the test server, on loopback) → watch-gerrit
 * → checkout → plan → appliance image → devstack configuration → tempest-style tests with stestr →
 * results → the report on Gerrit. Everything but stack.sh runs for real, with the package code the
 * actions use.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const write = options.write
  const work = mkdtempSync(join(tmpdir(), 'stackci-demo-'))
  const artifactsDir = options.artifactsDir ?? join(work, 'artifacts')
  mkdirSync(artifactsDir, { recursive: true })
  const progress = new Progress(STEPS, write)
  const cleanups: (() => Promise<void> | void)[] = []
  const result: DemoResult = { ok: false, artifactsDir }
  try {
    // 1. Gerrit with the sample project.
    const { gerrit, ci, developer } = await progress.run(
      'Start Gerrit on 127.0.0.1 with the sample project',
      async (note) => {
        const gerrit = await startGerritServer({ gitRoot: join(work, 'gerrit-git') })
        cleanups.push(() => gerrit.close())
        const ci = gerrit.addAccount({ ...SAMPLE.ciAccount, groups: ['demo-ci'] })
        const developer = gerrit.addAccount(SAMPLE.developer)
        await gerrit.createProject({
          name: SAMPLE.project,
          branches: [SAMPLE.branch],
          files: sampleFiles(),
          permissions: { Verified: [{ group: 'demo-ci', min: -1, max: 1 }] },
        })
        note(
          `Gerrit ${gerrit.url}, project ${SAMPLE.project}, CI account '${ci.username}' may vote Verified -1..+1`,
        )
        return { gerrit, ci, developer }
      },
    )
    const client = new GerritClient({
      url: gerrit.url,
      username: ci.username,
      password: ci.httpPassword,
      backoffMs: 200,
    })

    // 2. A published "latest" appliance image, as the post pipeline leaves after a merge.
    const publishDir = join(work, 'publish')
    const backend = new LocalDirectoryBackend(publishDir, SAMPLE.imageName)
    await progress.run(
      'Publish a "latest" appliance image (what the post pipeline does after a merge)',
      async (note) => {
        const built = join(work, 'built')
        mkdirSync(built)
        const imagePath = join(built, `${SAMPLE.imageName}.qcow2`)
        await run(nodeExec, 'qemu-img', ['create', '-q', '-f', 'qcow2', imagePath, '1G'], built).catch(
          (e: Error) => {
            throw new Error(
              `${e.message} (qemu-img comes with Debian's qemu-utils: bash scripts/install-deps.sh)`,
            )
          },
        )
        const { sha256, size } = await sha256File(imagePath)
        const master = await run(
          nodeExec,
          'git',
          ['ls-remote', gerrit.gitUrl(SAMPLE.project, ci), `refs/heads/${SAMPLE.branch}`],
          work,
        )
        const manifest: ImageManifest = {
          name: SAMPLE.imageName,
          version: '2026.11.21.1',
          sourceCommit: master.split(/\s/)[0] ?? '',
          elements: ['debian-minimal', 'demo-router'],
          diskimageBuilderVersion: 'none (the demo publishes an empty qcow2 made by qemu-img)',
          buildTime: new Date().toISOString(),
          format: 'qcow2',
          sizeBytes: size,
          sha256,
        }
        const published = await backend.publish({ imagePath, manifest })
        note(`${published.imageUrl} (sha256 ${sha256.slice(0, 16)}…), latest → ${published.version}`)
      },
    )

    // 3. A developer uploads a change.
    const change = await progress.run(
      `${SAMPLE.developer.name} uploads a change to ${SAMPLE.project}`,
      async (note) => {
        const upload = sampleChange(sampleFiles())
        if (options.breakTest) {
          upload.files['demo_appliance/router.py'] = upload.files['demo_appliance/router.py']!.replace(
            'self.routes.pop(destination, None)',
            'self.routes.get(destination)',
          )
        }
        const c = await gerrit.createChange({
          project: SAMPLE.project,
          owner: developer.username,
          subject: upload.subject,
          files: upload.files,
        })
        note(`change ${c.number}, patch set ${c.patchset} (${c.ref}): "${upload.subject}"`)
        return c
      },
    )

    // 4. watch-gerrit finds the patch set and dispatches the check pipeline, through the client the
    // action uses, on the GitHub test server: there the workflow's own run-name titles the run, which
    // is how the second poll (and step 12) know the change already has one.
    const gh = await startGitHubServer({ repos: [SAMPLE.ciRepository], routes: [actionsRoutes] })
    cleanups.push(() => gh.close())
    const registered = addWorkflow(
      gh.state,
      SAMPLE.ciRepository,
      basename(CI_WORKFLOW),
      readFileSync(CI_WORKFLOW, 'utf8'),
    )
    const workflow = gitHubWorkflowApi({
      apiUrl: gh.urls.api,
      token: 'test-token',
      repository: SAMPLE.ciRepository,
      workflow: basename(CI_WORKFLOW),
      ref: SAMPLE.ciRef,
    })
    const source = gerritSource(client)
    const policy: WatchPolicy = {
      pipeline: 'check',
      gerritUrl: gerrit.url,
      ours: { usernames: [ci.username], accountIds: [ci.id] },
      irrelevantFiles: fileMatcher(SAMPLE.irrelevantFiles),
      branches: branchPolicy({ branches: [SAMPLE.branch] }),
      skipWorkInProgress: true,
    }
    const poll = async (note: (l: string) => void) => {
      const report = await watchOnce({ source, workflow, policy, projects: [SAMPLE.project], log: note })
      return report
    }
    const target = await progress.run(
      'watch-gerrit polls Gerrit and dispatches the check pipeline',
      async (note) => {
        const report = await poll(note)
        const dispatched = report.dispatched.find((d) => d.decision.change === change.number)
        if (!dispatched?.decision.target) throw new Error(`change ${change.number} was not dispatched`)
        if (dispatched.runId === undefined) throw new Error('GitHub did not answer the dispatch with its run')
        const ghRun = findRun(gh.state, SAMPLE.ciRepository, dispatched.runId)
        note(
          `GitHub ${gh.urls.api}: ${SAMPLE.ciRepository} ${registered.path} run ${ghRun.id} "${ghRun.displayTitle}" (${ghRun.status})`,
        )
        const again = await watchOnce({ source, workflow, policy, projects: [SAMPLE.project] })
        if (again.dispatched.length) throw new Error('a second poll dispatched the same patch set again')
        note(`a second poll dispatches nothing: ${again.decisions[0]?.reason ?? 'no changes'}`)
        return { ...dispatched.decision.target, runId: ghRun.id }
      },
    )

    // 5. The change merged onto the branch tip, as Zuul's merger prepares it.
    const prepared = await progress.run(
      `Check out ${target.ref} merged onto ${target.branch}`,
      async (note) => {
        const p = await prepareChange({
          gitUrl: gerrit.gitUrl(target.project, ci),
          branch: target.branch,
          ref: target.ref,
          revision: target.revision,
          dir: join(work, 'src', target.project),
        })
        note(
          `HEAD ${p.head.slice(0, 12)} (${p.merged ? 'merged onto' : 'fast-forward of'} ${target.branch} ${p.branchTip.slice(0, 12)}); files: ${p.changedFiles.join(', ')}`,
        )
        return p
      },
    )

    // 6. What to run.
    const image = await progress.run('Plan the build set', async (note) => {
      const decision = decideImage({
        changedFiles: prepared.changedFiles,
        appliancePaths: SAMPLE.appliancePaths,
      })
      note(`job ${SAMPLE.job}: tempest regex '${SAMPLE.testRegex}'`)
      note(`appliance image: ${decision.action} — ${decision.reason}`)
      return decision
    })

    // 7. The appliance image.
    const fetched = await progress.run(
      'Resolve the appliance image from the local publish location',
      async (note) => {
        if (image.action === 'build') throw new Error('the demo change should not need an image build')
        const f = await fetchImage(backend, undefined, join(work, 'images'))
        note(`${relative(work, f.path)}: version ${f.image.version}, sha256 verified`)
        return f
      },
    )

    // 8. devstack: the change in $DEST and local.conf; stack.sh is not run here.
    const dest = join(work, 'opt-stack')
    await progress.run('Render the devstack configuration with the change in $DEST', async (note) => {
      const job = parseJobYaml(
        sampleDevstackJob(prepared.dir).replace('$DEST/images/demo-router-appliance.qcow2', fetched.path),
        'demo job',
      )
      const placed = await placeProjects(job.projects, {
        dest,
        branch: target.branch,
        baseDir: work,
        exec: nodeExec,
      })
      const conf = buildLocalConf(job, {
        dest,
        errorOnClone: shouldErrorOnClone(job, missingProjects(job, dest)),
      })
      const text = renderLocalConf(conf)
      writeFileSync(join(artifactsDir, 'local.conf.txt'), scrub(text, conf.secrets))
      for (const p of placed) note(`${p.name} placed in ${relative(work, p.dest)} at ${p.sha.slice(0, 12)}`)
      note(
        `local.conf written (passwords scrubbed): ${conf.localrc.length} localrc lines, ${conf.metaSections.length} meta-section(s)`,
      )
      note('stack.sh is NOT run: deploying OpenStack needs a self-hosted KVM runner with internet access')
    })

    // 9. The tempest-style subset, with stestr as `tempest run` uses it.
    const subunitPath = join(artifactsDir, 'testrepository.subunit')
    const started = new Date()
    await progress.run(`Run the test subset with stestr (regex '${SAMPLE.testRegex}')`, async (note) => {
      if (!existsSync(join(prepared.dir, '.stestr')))
        await run(nodeExec, 'stestr', ['init'], prepared.dir).catch((e: Error) => {
          throw new Error(
            `${e.message} (stestr comes with Debian's python3-stestr: bash scripts/install-deps.sh)`,
          )
        })
      const child = spawn('stestr', ['run', '--concurrency', '2', '--subunit', SAMPLE.testRegex], {
        cwd: prepared.dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const out = createWriteStream(subunitPath)
      child.stdout.pipe(out)
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      const [code] = (await once(child, 'close')) as [number]
      await new Promise((r) => out.close(r))
      note(
        `stestr exited ${code}${code ? ' (a test failed)' : ''}; subunit v2 stream in ${relative(artifactsDir, subunitPath)}`,
      )
      if (code !== 0 && code !== 1)
        throw new Error(`stestr failed: ${stderr.trim().split('\n').slice(-3).join(' ')}`)
    })

    // 10. Results.
    const logs = await startLogServer(artifactsDir)
    cleanups.push(() => logs.close())
    const runUrl = `${logs.url}/`
    const reports = await progress.run(
      'Turn the stream into JUnit, testr_results.html and the summary',
      async (note) => {
        const r = await writeReports(
          subunitPath,
          {
            junit: join(artifactsDir, 'junit.xml'),
            html: join(artifactsDir, 'testr_results.html'),
            json: join(artifactsDir, 'job-result.json'),
            markdown: join(artifactsDir, 'summary.md'),
          },
          { name: SAMPLE.job, url: runUrl, start: started, end: new Date() },
        )
        const t = r.job.tests!
        note(
          `${r.job.result}: ${t.total} tests, ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`,
        )
        writeIndex(artifactsDir)
        return r
      },
    )
    result.job = reports.job

    // 11. Report.
    await progress.run('Report to Gerrit as Zuul does', async (note) => {
      const outcome = await postReport(client, {
        project: target.project,
        change: target.change,
        revision: target.revision,
        pipeline: SAMPLE.pipeline,
        jobs: [reports.job],
        runUrl,
        voting: 'verified',
        footer: SAMPLE.footer,
      })
      completeRun(
        gh.state,
        SAMPLE.ciRepository,
        target.runId,
        reports.job.result === 'SUCCESS' ? 'success' : 'failure',
      )
      if (!outcome.posted) throw new Error('the report was not posted')
      note(
        `posted with tag ${outcome.tag}; ${formatVote(outcome.decision.labels) || 'comment only'} (${outcome.decision.reason})${outcome.timeToReportSeconds !== undefined ? `; ${Math.round(outcome.timeToReportSeconds)} s after upload` : ''}`,
      )
    })

    // 12. The loop closes: our report is on the patch set, so the next poll leaves it alone.
    await progress.run('watch-gerrit polls again', async (note) => {
      const report = await poll(note)
      for (const d of report.decisions)
        note(`${d.project} ${d.change},${d.patchset ?? '?'}: ${d.action}: ${d.reason}`)
      if (report.dispatched.length) throw new Error('a reported patch set was dispatched again')
    })

    const stored = gerrit.messages(change.number).filter((m) => m.tag?.startsWith('autogenerated:stackci'))
    result.storedComment = stored.at(-1)?.message
    result.vote = gerrit.vote(change.number, 'Verified', ci)
    result.ok =
      reports.job.result === 'SUCCESS' || Boolean(options.breakTest && reports.job.result === 'FAILURE')
    write(
      `\nThe comment on change ${change.number} (${gerrit.url}/c/${SAMPLE.project}/+/${change.number}):\n\n`,
    )
    write(`${(result.storedComment ?? '').replace(/^/gm, '    ')}\n\n`)
    write(
      `Verified vote: ${result.vote === undefined ? 'none' : result.vote > 0 ? `+${result.vote}` : result.vote}\n`,
    )
    write(`Artifacts: ${artifactsDir}\n`)
    for (const f of readdirSync(artifactsDir).sort()) write(`    ${f}\n`)
  } catch (e) {
    result.error = e instanceof DemoStepError ? e : new DemoStepError('demo', e as Error)
  } finally {
    for (const c of cleanups.reverse()) await c()
    if (!options.keep) {
      for (const d of readdirSync(work)) {
        const p = join(work, d)
        if (p !== artifactsDir) rmSync(p, { recursive: true, force: true })
      }
      if (artifactsDir !== join(work, 'artifacts')) rmSync(work, { recursive: true, force: true })
    }
  }
  return result
}

function writeIndex(dir: string) {
  const files = readdirSync(dir)
    .filter((f) => f !== 'index.html')
    .sort()
  const items = files.map((f) => `<li><a href="${encodeURI(f)}">${f}</a></li>`).join('\n')
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>${SAMPLE.job}</title><h1>${SAMPLE.job}</h1><ul>\n${items}\n</ul>\n`,
  )
}
