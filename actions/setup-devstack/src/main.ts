import { join } from 'node:path'
import * as core from '@actions/core'
import { collectLogs, devstackLogList, exportJournal, type StackResult } from '@stackci/devstack'
import { nodeExec } from '@stackci/exec'
import { readInputs, type Settings } from './inputs.js'
import { resolvedLogfile, setupDevstack, type SetupState } from './setup.js'
import { writeSummary } from './summary.js'

export async function run(): Promise<void> {
  const started = new Date()
  let settings: Settings
  try {
    settings = readInputs()
  } catch (e) {
    core.setOutput('result', 'FAILURE')
    core.setFailed((e as Error).message)
    return
  }
  const state: SetupState = {
    placed: [],
    plugins: [],
    errorOnClone: false,
    missing: [],
    secrets: [],
    notes: [],
  }
  let failure: string | undefined
  try {
    await setupDevstack(settings, state)
  } catch (e) {
    failure = (e as Error).message
  }
  const result: StackResult = failure ? 'FAILURE' : (state.stack?.result ?? 'SUCCESS')

  // Logs are collected whatever happened above: a failed stack.sh is exactly when they matter.
  core.startGroup('Collect logs')
  try {
    const items = devstackLogList({
      dest: settings.dest,
      logfile: resolvedLogfile(state.conf, settings.dest),
      etcRoot: settings.etcDir,
      etcNames: [
        ...(state.job?.projects.map((p) => p.shortName) ?? []),
        ...(state.job?.plugins.map((p) => p.name) ?? []),
        ...(state.job?.requiredProjects.map((p) => p.shortName) ?? []),
      ],
    })
    const collected = await collectLogs(items, settings.logDir, state.secrets)
    const journal = await exportJournal(
      started,
      join(settings.logDir, 'journal.txt'),
      state.secrets,
      nodeExec,
    )
    if (journal.written) collected.written.push('journal.txt')
    if (journal.note) state.notes.push(journal.note)
    for (const e of collected.errors) core.warning(`log collection: ${e}`)
    core.info(`collected ${collected.written.length} files into ${settings.logDir}`)
    state.notes.push(`${collected.written.length} log files collected`)
  } catch (e) {
    core.warning(`log collection failed: ${(e as Error).message}`)
  } finally {
    core.endGroup()
  }

  const seconds = Math.round((Date.now() - started.getTime()) / 1000)
  core.setOutput('result', result)
  core.setOutput('log-dir', settings.logDir)
  core.setOutput('duration-seconds', String(seconds))
  if (state.localConfPath) core.setOutput('local-conf', state.localConfPath)
  await writeSummary(settings, state, result, seconds, failure)

  if (failure) core.setFailed(failure)
  else if (result === 'TIMED_OUT') {
    core.setFailed(
      `stack.sh did not finish in ${settings.timeoutMs / 60_000} minutes; logs in ${settings.logDir}`,
    )
  } else if (result === 'FAILURE') {
    core.setFailed(`stack.sh failed (exit ${state.stack?.exitCode}); logs in ${settings.logDir}`)
  }
}
