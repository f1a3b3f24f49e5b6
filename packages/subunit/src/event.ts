import type { WireStatus } from './wire.js'

/**
 * One status() call of the StreamResult API, as python-subunit's parser makes it. `fileBytes` is
 * a view into the decoder's buffer: valid only during the callback, copy it to keep it.
 */
export interface SubunitEvent {
  testId?: string
  /**
   * Set by the decoder: testId is printable ASCII without " & < > (see plainText), so renderers
   * need not check it for escaping.
   */
  testIdPlain?: boolean
  status?: WireStatus
  /** Shared between events with the same tags (the decoder reuses the array): do not modify. */
  tags?: string[]
  runnable: boolean
  fileName?: string
  fileBytes?: Uint8Array
  /**
   * Where fileBytes lies in the decoder's buffer (only on the reused event of `reuseEvent`), so a
   * sink that drops most file content (the ResultCollector) need not make a view of each.
   */
  fileBuffer?: Uint8Array
  fileStart?: number
  fileEnd?: number
  eof: boolean
  mimeType?: string
  routeCode?: string
  /** Microseconds since the Unix epoch (python-subunit keeps microsecond precision). */
  timestamp?: number
}

export type EventSink = (event: SubunitEvent) => void
