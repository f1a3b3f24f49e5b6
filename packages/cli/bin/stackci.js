#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `pnpm stackci` works straight after `pnpm install`
// without a build step; the actions, which must start fast on runners, are bundled instead.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/main.ts')
process.exitCode = await main(process.argv.slice(2))
