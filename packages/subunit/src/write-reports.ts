import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Readable } from 'node:stream'
import type { JobResult } from '@stackci/model'
import { writeHtml, type HtmlOptions } from './html.js'
import { FailureBriefs, toJobResult, type JobResultOptions } from './job-result.js'
import { JUnitFile } from './junit-file.js'
import { renderMarkdown, type MarkdownOptions } from './markdown.js'
import { readSubunit, type ParsedStream, type ReadOptions } from './read.js'
import type { CollectorOptions } from './results.js'

export interface ReportPaths {
  junit?: string
  html?: string
  json?: string
  markdown?: string
}

export interface Reports {
  parsed: ParsedStream
  job: JobResult
  /** The Markdown summary; empty unless `paths.markdown` or `options.markdown` was given. */
  markdown: string
}

/**
 * Writes a file chunk by chunk with synchronous writes: nothing queues in memory, so a large
 * report never sits in one string or in a stream's buffer.
 */
export function writeChunked(path: string, produce: (write: (chunk: string) => void) => void): void {
  mkdirSync(dirname(path), { recursive: true })
  const fd = openSync(path, 'w')
  try {
    produce((chunk) => {
      if (chunk) writeSync(fd, chunk)
    })
  } finally {
    closeSync(fd)
  }
}

/**
 * Stream → JUnit, HTML, JSON (JobResult) and Markdown: what `stackci results` and the
 * run-tempest-subset action both do. The JUnit file and the JobResult's failures are written as
 * tests finish; `parsed.results.tests` holds the tests only when an HTML or Markdown report needs
 * them all (or `collector.keep` is true), so JUnit and JSON alone take memory that does not grow
 * with the number of tests.
 */
export async function writeReports(
  source: string | Readable,
  paths: ReportPaths,
  job: JobResultOptions,
  options: {
    collector?: CollectorOptions & ReadOptions
    html?: HtmlOptions
    markdown?: MarkdownOptions
  } = {},
): Promise<Reports> {
  const wantMarkdown = Boolean(paths.markdown || options.markdown)
  const keep = Boolean(paths.html) || wantMarkdown || options.collector?.keep === true
  const junit = paths.junit ? new JUnitFile(paths.junit, { suiteName: job.name }) : undefined
  const failures = new FailureBriefs(job.maxFailures ?? 10)
  const also = options.collector?.onTest
  let parsed: ParsedStream
  try {
    parsed = await readSubunit(source, {
      ...options.collector,
      keep,
      onTest: (t) => {
        junit?.add(t)
        failures.add(t)
        also?.(t)
      },
    })
  } catch (e) {
    junit?.abort()
    throw e
  }
  const { results } = parsed
  junit?.close(results)
  const jobResult = toJobResult(results, job, failures.list)
  if (paths.html) writeChunked(paths.html, (w) => writeHtml(results, w, { title: job.name, ...options.html }))
  if (paths.json) {
    mkdirSync(dirname(paths.json), { recursive: true })
    writeFileSync(paths.json, JSON.stringify(jobResult, null, 2) + '\n')
  }
  // Only when someone reads it: on a large run the summary costs as much as the JUnit file.
  const markdown = wantMarkdown ? renderMarkdown(results, { title: job.name, ...options.markdown }) : ''
  if (paths.markdown) {
    mkdirSync(dirname(paths.markdown), { recursive: true })
    writeFileSync(paths.markdown, markdown)
  }
  return { parsed, job: jobResult, markdown }
}
