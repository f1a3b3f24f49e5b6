export * from './errors.js'
export * from './transport.js'
export * from './types.js'
export * from './client.js'
