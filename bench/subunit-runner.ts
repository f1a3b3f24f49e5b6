/**
 * What bench/subunit.bench.ts times as "ours, JUnit + JSON": exactly the work subunit2junitxml
 * does (plus the JobResult JSON), with the code the action and the CLI use. Bundled to plain
 * JavaScript by the bench so neither tsx nor the action's extra reports are measured.
 * Usage: node runner.mjs STREAM JUNIT JSON
 */
import { writeReports } from '../packages/subunit/src/index.js'

const [stream, junit, json] = process.argv.slice(2)
if (!stream || !junit || !json) throw new Error('usage: runner STREAM JUNIT JSON')
await writeReports(stream, { junit, json }, { name: 'bench' })
