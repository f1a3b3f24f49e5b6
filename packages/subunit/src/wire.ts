/** Subunit v2 constants (testing-cabal/subunit python/subunit/v2.py). */
export const SIGNATURE = 0xb3
export const FLAG_TEST_ID = 0x0800
export const FLAG_ROUTE_CODE = 0x0400
export const FLAG_TIMESTAMP = 0x0200
export const FLAG_RUNNABLE = 0x0100
export const FLAG_TAGS = 0x0080
export const FLAG_FILE_CONTENT = 0x0040
export const FLAG_MIME_TYPE = 0x0020
export const FLAG_EOF = 0x0010
export const VERSION_2 = 0x2000

export const STATUSES = [
  undefined,
  'exists',
  'inprogress',
  'success',
  'uxsuccess',
  'skip',
  'fail',
  'xfail',
] as const
export type WireStatus = Exclude<(typeof STATUSES)[number], undefined>

export function statusCode(status: WireStatus | undefined): number {
  return status === undefined ? 0 : STATUSES.indexOf(status)
}

/** The largest value a 4-byte varint holds (2**30 - 1). */
export const MAX_VARINT = 0x3fffffff

/** Python's writer rejects packets whose length would not fit a 3-byte varint. */
export const MAX_PACKET_LENGTH = 4194303
