export { main } from './main.js'
export type { Command, CommandContext } from './command.js'
export { UsageError } from './command.js'
