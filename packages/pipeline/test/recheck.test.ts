import { describe, expect, it } from 'vitest'
import { isRecheck } from '../src/index.js'

describe('OpenStack recheck regex', () => {
  it("matches recheck as the first word, after Gerrit's patch set header or not", () => {
    expect(isRecheck('recheck')).toBe(true)
    expect(isRecheck('RECHECK')).toBe(true)
    expect(isRecheck('recheck bug 2071234: nova timeout')).toBe(true)
    expect(isRecheck('Patch Set 3:\n\nrecheck')).toBe(true)
    expect(isRecheck('Patch Set 3: Code-Review+1\n\nrecheck')).toBe(true)
    expect(isRecheck('Patch Set 12: Code-Review-1 Workflow+1\n\n  recheck please')).toBe(true)
  })
  it('does not match recheck further into a message', () => {
    expect(isRecheck('Patch Set 3: Verified-1\n\nBuild failed (check pipeline). recheck to retry')).toBe(
      false,
    )
    expect(isRecheck('please recheck')).toBe(false)
    expect(isRecheck('Patch Set 2:\n\nLooks good, no recheck needed')).toBe(false)
    expect(isRecheck('check experimental')).toBe(false)
  })
})
