import { formatVote, type ReportOutcome } from '@stackci/gerrit'

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function formatSeconds(total: number): string {
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  return h > 0 ? `${h} h ${m} min` : `${m} min ${total % 60} s`
}

/** Markdown for the job summary: what happened, why, and the message itself. */
export function renderSummary(
  o: ReportOutcome,
  ctx: { project: string; change: number; dryRun: boolean; slaHours: number; gerritUrl?: string },
): string {
  const state = ctx.dryRun
    ? 'dry run: nothing posted'
    : o.alreadyPosted
      ? 'already on the change: not posted again'
      : !o.decision.comment
        ? 'nothing posted'
        : o.recovered
          ? 'posted (the reply was lost; found stored on the change)'
          : 'posted'
  const change = ctx.gerritUrl
    ? `[${ctx.project} ${ctx.change}${o.patchset ? `,${o.patchset}` : ''}](${ctx.gerritUrl}/c/${ctx.project}/+/${ctx.change})`
    : `${ctx.project} ${ctx.change}`
  const rows = [
    ['change', change],
    ['report', state],
    ['vote', formatVote(o.decision.labels) || 'none (comment only)'],
    ['why', o.decision.reason],
  ]
  if (o.submitted) rows.push(['submit', 'merged'])
  if (o.submitError) rows.push(['submit', `failed: ${o.submitError.message}`])
  if (o.timeToReportSeconds !== undefined) {
    const late = o.timeToReportSeconds > ctx.slaHours * 3600 ? ` (past the ${ctx.slaHours} h SLA)` : ''
    rows.push(['time to report', `${formatSeconds(o.timeToReportSeconds)}${late}`])
  }
  const table = [
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v!.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`),
  ]
  return [
    '## Gerrit report',
    '',
    ...table,
    '',
    o.decision.comment
      ? `<pre>${escapeHtml(o.message)}</pre>`
      : '_No comment: merge failures are not reported._',
    '',
  ].join('\n')
}
