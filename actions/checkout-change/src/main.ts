import { rmSync } from 'node:fs'
import * as core from '@actions/core'
import { MergeConflictError, changedFiles, defaultGit, prepareChange, redactUrl } from '@stackci/pipeline'
import { readInputs, type GerritSettings } from './inputs.js'

/**
 * A GitHub project's change is the workspace's last commit, diffed as a Gerrit change is; no base
 * and no files when HEAD has no parent (a shallow or single-commit checkout) or is not in git.
 */
async function workspaceChange(workspace: string): Promise<{ base: string; files: string[] }> {
  const parent = await defaultGit(['rev-parse', '--verify', '--quiet', 'HEAD~1^{commit}'], workspace)
  if (parent.code !== 0) return { base: '', files: [] }
  const base = parent.stdout.trim()
  return { base, files: await changedFiles(defaultGit, workspace, base, 'HEAD') }
}

async function checkoutGerrit(s: GerritSettings): Promise<void> {
  // A runner that is reused (it should not be) may hold an older checkout: start clean.
  rmSync(s.dir, { recursive: true, force: true })
  core.info(`Fetching ${s.ref} and ${s.branch} from ${redactUrl(s.gitUrl)}`)
  core.setOutput('path', s.dir)
  try {
    const p = await prepareChange({
      gitUrl: s.gitUrl,
      branch: s.branch,
      ref: s.ref,
      dir: s.dir,
      merge: s.merge,
      ...(s.revision ? { revision: s.revision } : {}),
    })
    core.info(
      `${s.ref} (${p.revision.slice(0, 12)}) ${p.merged ? 'merged onto' : 'fast-forwards'} ${s.branch} ` +
        `(${p.branchTip.slice(0, 12)}): HEAD ${p.head.slice(0, 12)}, ${p.changedFiles.length} changed file(s)`,
    )
    core.setOutput('result', 'SUCCESS')
    core.setOutput('merged', 'true')
    core.setOutput('head', p.head)
    core.setOutput('base', p.branchTip)
    core.setOutput('changed-files', p.changedFiles.join('\n'))
    await core.summary
      .addHeading('Change under test', 3)
      .addRaw(
        `${s.project} ${s.ref} ${p.merged ? 'merged onto' : 'on'} ${s.branch} at ${p.branchTip.slice(0, 12)}`,
        true,
      )
      .write()
  } catch (e) {
    if (!(e instanceof MergeConflictError)) throw e
    // Zuul reports MERGE_FAILURE and runs no job; the workflow reads `merged` and does the same.
    core.error(e.message, { title: 'Merge failure' })
    core.setOutput('result', 'MERGE_FAILURE')
    core.setOutput('merged', 'false')
    await core.summary.addHeading('Merge failure', 3).addRaw(e.message, true).write()
  }
}

export async function run(): Promise<void> {
  core.setOutput('started', new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'))
  try {
    const settings = readInputs()
    if (settings.kind === 'workspace') {
      core.info('No Gerrit ref: the change is the workspace checkout')
      core.setOutput('result', 'SUCCESS')
      core.setOutput('merged', 'true')
      core.setOutput('path', settings.workspace)
      const change = await workspaceChange(settings.workspace)
      core.setOutput('base', change.base)
      core.setOutput('changed-files', change.files.join('\n'))
      return
    }
    await checkoutGerrit(settings)
  } catch (e) {
    core.setFailed(`checkout-change: ${(e as Error).message}`)
  }
}
