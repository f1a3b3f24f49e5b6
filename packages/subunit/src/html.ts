import { detailsText } from './details.js'
import { durationSeconds, type ResultCollector, type TestResult } from './results.js'
import type { TestIdParts } from './test-id.js'
import { plainText } from './xml.js'

export interface HtmlOptions {
  title?: string
  /** Generation time shown in the header (tests pass a fixed one). */
  generated?: Date
}

type Kind = 'pass' | 'fail' | 'skip' | 'xfail' | 'uxsuccess'

function kindOf(t: TestResult): Kind {
  if (t.status === 'xfail') return 'xfail'
  if (t.status === 'uxsuccess') return 'uxsuccess'
  return t.outcome === 'passed' ? 'pass' : t.outcome === 'skipped' ? 'skip' : 'fail'
}

const LABEL: Record<Kind, string> = {
  pass: 'Pass',
  fail: 'Failure',
  skip: 'Skip',
  xfail: 'Expected failure',
  uxsuccess: 'Unexpected success',
}

function esc(s: string): string {
  // One scan for the usual plain name instead of four replace() scans.
  if (plainText(s)) return s
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

const STYLE = `body{font-family:sans-serif;font-size:14px;margin:1em 2em}h1{font-size:20px}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eee}td.n{text-align:right}tr.cls{background:#f4f4f4;font-weight:bold}
.pass{color:#1a7f37}.fail,.uxsuccess{color:#cf222e}.skip{color:#9a6700}.xfail{color:#0969da}
pre{white-space:pre-wrap;background:#f6f8fa;padding:6px;margin:4px 0;max-height:40em;overflow:auto}
#filters button{margin-right:4px}#filters button.on{font-weight:bold;border-width:2px}`

// Filters by status; a class row stays visible while one of its tests is.
const SCRIPT = `function show(k){document.querySelectorAll('#filters button').forEach(function(b){b.classList.toggle('on',b.dataset.k===k)});
document.querySelectorAll('tr.t').forEach(function(r){r.style.display=(k==='all'||r.dataset.k===k)?'':'none'});
document.querySelectorAll('tr.cls').forEach(function(c){var any=document.querySelectorAll('tr.t[data-c="'+c.dataset.c+'"]');var vis=k==='summary';any.forEach(function(r){if(r.style.display!=='none')vis=true});c.style.display=vis?'':'none'})}
document.addEventListener('DOMContentLoaded',function(){show(document.querySelector('tr.t[data-k="fail"],tr.t[data-k="uxsuccess"]')?'fail':'summary')});`

/**
 * testr_results.html, self-contained (inline CSS and JS, no network): totals, status filters,
 * one table grouped by test class with per-class counts, and every test's traceback or skip
 * reason. Unlike subunit2html it shows expected failures and unexpected successes.
 */
export function writeHtml(
  results: ResultCollector,
  write: (chunk: string) => void,
  options: HtmlOptions = {},
): void {
  const c = results.counts()
  const title = options.title ?? 'Test results'
  // parts is computed on each access: do it once per test here.
  const byClass = new Map<string, [TestResult, TestIdParts][]>()
  for (const t of results.tests) {
    const parts = t.parts
    const k = parts.className || '(no class)'
    let list = byClass.get(k)
    if (!list) byClass.set(k, (list = []))
    list.push([t, parts])
  }
  const counts = (tests: TestResult[]) => {
    const n: Record<Kind, number> = { pass: 0, fail: 0, skip: 0, xfail: 0, uxsuccess: 0 }
    for (const t of tests) n[kindOf(t)]++
    return n
  }
  const all = counts(results.tests)
  const start = results.firstTimestamp
  const end = results.lastTimestamp
  write(`<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>`)
  write(`<style>${STYLE}</style><script>${SCRIPT}</script></head><body>\n`)
  write(`<h1>${esc(title)}</h1>\n<p>`)
  if (start !== undefined) write(`Start: ${new Date(start / 1000).toISOString()}<br>`)
  if (start !== undefined && end !== undefined) write(`Duration: ${((end - start) / 1e6).toFixed(1)} s<br>`)
  if (options.generated) write(`Generated: ${options.generated.toISOString()}<br>`)
  write(
    `Status: <span class="pass">Pass ${all.pass}</span> <span class="fail">Failure ${all.fail}</span> ` +
      `<span class="skip">Skip ${all.skip}</span> <span class="xfail">Expected failure ${all.xfail}</span> ` +
      `<span class="uxsuccess">Unexpected success ${all.uxsuccess}</span> (total ${c.total}; ` +
      `counted as passed ${c.passed}, failed ${c.failed}, skipped ${c.skipped})</p>\n`,
  )
  write('<p id="filters">Show: ')
  for (const [k, label] of [
    ['summary', 'Summary'],
    ['fail', 'Failed'],
    ['uxsuccess', 'Unexpected success'],
    ['skip', 'Skipped'],
    ['xfail', 'Expected failure'],
    ['pass', 'Passed'],
    ['all', 'All'],
  ])
    write(`<button type="button" data-k="${k}" onclick="show('${k}')">${label}</button>`)
  write('</p>\n<table><thead><tr><th>Test group / test case</th><th>Count</th><th>Pass</th><th>Fail</th>')
  write('<th>Skip</th><th>XFail</th><th>UXSuccess</th><th>Time (s)</th></tr></thead><tbody>\n')
  let ci = 0
  for (const [cls, entries] of byClass) {
    const tests = entries.map((e) => e[0])
    const n = counts(tests)
    const seconds = tests.reduce((s, t) => s + (durationSeconds(t) ?? 0), 0)
    write(
      `<tr class="cls" data-c="${ci}"><td>${esc(cls)}</td><td class="n">${tests.length}</td><td class="n pass">${n.pass}</td>` +
        `<td class="n fail">${n.fail}</td><td class="n skip">${n.skip}</td><td class="n xfail">${n.xfail}</td>` +
        `<td class="n uxsuccess">${n.uxsuccess}</td><td class="n">${seconds.toFixed(2)}</td></tr>\n`,
    )
    let chunk = ''
    for (const [t, parts] of entries) {
      const k = kindOf(t)
      const d = durationSeconds(t)
      const attrs = parts.attributes.length ? ` <small>[${esc(parts.attributes.join(','))}]</small>` : ''
      let detail = ''
      if (k === 'skip') {
        const reason = t.attachments.find((a) => a.name === 'reason')
        detail = `<div>${esc(reason ? reason.text() : 'No reason given')}</div>`
      } else if (k !== 'pass' && t.attachments.length) {
        detail = `<details${k === 'fail' ? ' open' : ''}><summary>details</summary><pre>${esc(detailsText(t.attachments))}</pre></details>`
      } else if (t.unfinished) {
        detail = '<div>test did not finish</div>'
      }
      chunk +=
        `<tr class="t" data-k="${k}" data-c="${ci}"><td>&nbsp;&nbsp;${esc(parts.method)}${attrs}${detail}</td>` +
        `<td colspan="6" class="${k}">${LABEL[k]}${t.unfinished ? ' (did not finish)' : ''}</td>` +
        `<td class="n">${d === undefined ? '' : d.toFixed(3)}</td></tr>\n`
      if (chunk.length > 65536) {
        write(chunk)
        chunk = ''
      }
    }
    write(chunk)
    ci++
  }
  write('</tbody></table>\n</body></html>\n')
}

export function renderHtml(results: ResultCollector, options: HtmlOptions = {}): string {
  let out = ''
  writeHtml(results, (c) => (out += c), options)
  return out
}
