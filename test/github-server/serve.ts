/**
 * Runs the test server on its own (the benchmark uses it as a separate process, as GitHub is):
 * `tsx test/github-server/serve.ts owner/repo ...` prints one JSON line with the URLs and token.
 */
import { startGitHubServer } from './index.js'

const server = await startGitHubServer({ repos: process.argv.slice(2) })
process.stdout.write(`${JSON.stringify({ ...server.urls, token: 'test-token' })}\n`)
const stop = () => void server.close().then(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
