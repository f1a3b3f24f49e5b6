export * from './run-action.js'
export * from './commands.js'
export * from './node24.js'
