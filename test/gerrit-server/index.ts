export {
  GerritTestServer,
  startGerritServer,
  type ChangeRef,
  type GerritServerOptions,
  type RequestRecord,
} from './server.js'
export { REVIEW_FAULTS, type Fault, type FaultMatch, type FaultRule } from './faults.js'
export {
  ADMINISTRATORS,
  REGISTERED_USERS,
  defaultLabels,
  selfGatingVerified,
  type Account,
  type AccountOptions,
  type Approval,
  type Change,
  type ChangeMessage,
  type LabelDefinition,
  type LabelPermission,
  type PatchSet,
  type ProjectOptions,
} from './model.js'
export type { FileContents } from './git.js'
export { XSSI_PREFIX } from './http.js'
export { timestamp } from './entities.js'
