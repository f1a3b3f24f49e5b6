import { outcomeOf, type DecisionOutcome, type WatchReport } from './gerrit-watch.js'

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')

function outcomeCell(o: DecisionOutcome, dryRun: boolean): string {
  switch (o.action) {
    case 'deferred':
      return 'deferred (max-dispatches)'
    case 'failed':
      return 'dispatch failed'
    case 'skip':
      return 'skipped'
    case 'dispatch':
      return o.url ? `[dispatched](${o.url})` : dryRun ? 'would dispatch' : 'dispatched'
  }
}

/** The job summary: every change considered, what was decided and why (the Ironic spec wants exclusions documented). */
export function watchSummaryMarkdown(report: WatchReport, title = 'watch-gerrit'): string {
  const outcome = outcomeOf(report)
  const lines = [
    `## ${title}${report.dryRun ? ' (dry run)' : ''}`,
    '',
    `Query: \`${report.query}\`: ${report.decisions.length} change(s), ${report.dispatched.length} dispatched, ${report.cancelled.length} run(s) cancelled.`,
    '',
  ]
  if (report.truncated.changes)
    lines.push('**Stopped reading Gerrit at max-changes; the rest wait for the next poll.**', '')
  if (report.truncated.runs)
    lines.push('**Stopped reading workflow runs at the page limit; older runs were not seen.**', '')
  if (report.decisions.length > 0) {
    lines.push('| change | project | branch | decision | reason |', '|---|---|---|---|---|')
    for (const d of report.decisions) {
      const decision = outcomeCell(outcome(d), report.dryRun)
      lines.push(
        `| ${d.change},${d.patchset ?? '?'} | ${cell(d.project)} | ${cell(d.branch)} | ${decision} | ${cell(d.reason)} |`,
      )
    }
    lines.push('')
  }
  for (const c of report.cancelled) {
    lines.push(
      `- cancelled run ${c.run.run.id} (${c.run.change},${c.run.patchset}): superseded by patch set ${c.supersededBy}`,
    )
  }
  for (const f of report.failed) {
    lines.push(`- **${f.what} failed** for ${f.decision.change},${f.decision.patchset}: ${cell(f.error)}`)
  }
  return lines.join('\n') + '\n'
}
