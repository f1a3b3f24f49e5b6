export * from './inputs.js'
export * from './run-url.js'
