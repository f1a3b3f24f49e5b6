export * from './inputs.js'
