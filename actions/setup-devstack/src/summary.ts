import * as core from '@actions/core'
import type { StackResult } from '@stackci/devstack'
import type { Settings } from './inputs.js'
import type { SetupState } from './setup.js'

export async function writeSummary(
  s: Settings,
  state: SetupState,
  result: StackResult,
  seconds: number,
  failure: string | undefined,
): Promise<void> {
  const rows: Parameters<typeof core.summary.addTable>[0] = [
    [
      { data: 'devstack', header: true },
      { data: 'value', header: true },
    ],
    ['result', `${result}${s.dryRun ? ' (dry run)' : ''}`],
    ['duration', `${seconds} s`],
    [
      'devstack',
      state.devstack ? `${state.devstack.ref} @ ${state.devstack.sha.slice(0, 12)}` : 'not cloned',
    ],
    ['target branch', s.branch],
    [
      'ERROR_ON_CLONE',
      state.errorOnClone
        ? 'True'
        : `not set${state.missing.length ? ` (devstack clones ${state.missing.join(', ')})` : ''}`,
    ],
    ['plugins (in order)', state.conf?.plugins.map((p) => p.name).join(' → ') || 'none'],
    ['logs', s.logDir],
  ]
  const sum = core.summary.addHeading(`setup-devstack: ${result}`, 3).addTable(rows)
  if (state.placed.length) {
    sum
      .addHeading('Projects under test', 4)
      .addList(state.placed.map((p) => `${p.name} ${p.sha.slice(0, 12)} → ${p.dest}`))
  }
  if (failure) sum.addHeading('Error', 4).addCodeBlock(failure)
  if (state.notes.length) sum.addHeading('Notes', 4).addList(state.notes)
  await sum.write()
}
