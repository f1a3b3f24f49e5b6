export * from './run-action.js'
export * from './commands.js'
