import { readFile } from 'node:fs/promises'
import { parseResults, type JobResult } from './job-result.js'

/**
 * The jobs of a results file (any form parseResults accepts). Errors name the file but not where
 * it came from: callers prefix the input or option that gave the path.
 */
export async function readResults(path: string): Promise<JobResult[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new Error(`${path} is not JSON: ${(e as Error).message}`)
  }
  try {
    return parseResults(value).jobs
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`)
  }
}
