import { githubServerFromEnv } from './github-urls.js'

/**
 * This run attempt's page on GitHub: what a report links to and what makes it unique (a re-run is
 * a new attempt and may report again; the same attempt never twice).
 */
export function runUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const server = githubServerFromEnv(env)
  if (!env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) {
    throw new Error('GITHUB_REPOSITORY and GITHUB_RUN_ID are not set: not running in a workflow run?')
  }
  return `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/attempts/${env.GITHUB_RUN_ATTEMPT || '1'}`
}
