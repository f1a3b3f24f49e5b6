/**
 * The third-party actions our workflows use, pinned by full commit SHA (zizmor unpinned-uses;
 * GitHub's SHA-pinning policy). Read from the actions' own repositories' tags; update together.
 */
export const PINS = {
  'actions/checkout': { sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  'actions/setup-node': { sha: '820762786026740c76f36085b0efc47a31fe5020', version: 'v7.0.0' },
  'actions/upload-artifact': { sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', version: 'v7.0.0' },
} as const
