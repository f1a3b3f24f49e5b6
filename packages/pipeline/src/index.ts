export * from './file-matcher.js'
