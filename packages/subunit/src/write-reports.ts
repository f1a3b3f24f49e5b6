import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Readable } from 'node:stream'
import type { JobResult } from '@stackci/model'
import { writeHtml, type HtmlOptions } from './html.js'
import { toJobResult, type JobResultOptions } from './job-result.js'
import { writeJUnit } from './junit.js'
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
 * run-tempest-subset action both do.
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
  const parsed = await readSubunit(source, options.collector)
  const { results } = parsed
  const jobResult = toJobResult(results, job)
  if (paths.junit) writeChunked(paths.junit, (w) => writeJUnit(results, w, { suiteName: job.name }))
  if (paths.html) writeChunked(paths.html, (w) => writeHtml(results, w, { title: job.name, ...options.html }))
  if (paths.json) {
    mkdirSync(dirname(paths.json), { recursive: true })
    writeFileSync(paths.json, JSON.stringify(jobResult, null, 2) + '\n')
  }
  // Only when someone reads it: on a large run the summary costs as much as the JUnit file.
  const markdown =
    paths.markdown || options.markdown
      ? renderMarkdown(results, { title: job.name, ...options.markdown })
      : ''
  if (paths.markdown) {
    mkdirSync(dirname(paths.markdown), { recursive: true })
    writeFileSync(paths.markdown, markdown)
  }
  return { parsed, job: jobResult, markdown }
}
