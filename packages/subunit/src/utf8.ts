/**
 * Byte-at-a-time UTF-8 state as CPython's incremental utf-8 decoder keeps it. python-subunit feeds
 * every non-subunit byte to such a decoder and only treats 0xB3 as a packet start when it does not
 * sit in the middle of a character. The decoder quirks matter for exactness: a byte that makes the
 * pending sequence invalid raises and leaves the pending bytes in place (so they can still combine
 * with later bytes), and a 0xED lead accepts any continuation until the third byte.
 */
export class Utf8Tracker {
  private readonly pending: number[] = []
  midCharacter = false

  feed(byte: number): void {
    // Most non-subunit bytes are ASCII: a character of its own when nothing is pending, an error
    // that keeps the pending bytes when something is (pending always starts with a lead byte, and
    // ASCII is never a continuation). Either way only midCharacter changes.
    if (byte < 0x80) {
      this.midCharacter = false
      return
    }
    this.pending.push(byte)
    const verdict = classify(this.pending)
    if (verdict === 'error') {
      this.pending.pop()
      this.midCharacter = false
    } else if (verdict === 'complete') {
      this.pending.length = 0
      this.midCharacter = false
    } else {
      this.midCharacter = true
    }
  }
}

function classify(seq: number[]): 'complete' | 'prefix' | 'error' {
  const b0 = seq[0]!
  if (b0 < 0x80) return seq.length === 1 ? 'complete' : 'error'
  let n: number
  let lo = 0x80
  let hi = 0xbf
  if (b0 >= 0xc2 && b0 <= 0xdf) n = 2
  else if (b0 === 0xe0) [n, lo] = [3, 0xa0]
  else if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) n = 3
  else if (b0 === 0xed) [n, hi] = [3, seq.length === 2 ? 0xbf : 0x9f]
  else if (b0 === 0xf0) [n, lo] = [4, 0x90]
  else if (b0 >= 0xf1 && b0 <= 0xf3) n = 4
  else if (b0 === 0xf4) [n, hi] = [4, 0x8f]
  else return 'error'
  if (seq.length > n) return 'error'
  for (let i = 1; i < seq.length; i++) {
    const b = seq[i]!
    if (i === 1 ? b < lo || b > hi : b < 0x80 || b > 0xbf) return 'error'
  }
  return seq.length === n ? 'complete' : 'prefix'
}

// ignoreBOM keeps a leading U+FEFF, which TextDecoder would otherwise drop and Python keeps.
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Decodes a packet string the way python-subunit's _read_utf8 does (codecs.utf_8_decode, which is
 * not final): an invalid sequence is an error, an incomplete one at the end leaves bytes undecoded.
 * Returns the string or the number of undecoded trailing bytes, or 'invalid'.
 */
export function decodePacketString(bytes: Uint8Array): string | { undecoded: number } | 'invalid' {
  try {
    return strictDecoder.decode(bytes)
  } catch {
    // Find the longest valid prefix: if everything after it is a valid incomplete sequence, the
    // string is "partially decodable"; otherwise it is not UTF-8 at all.
    for (let cut = 1; cut <= 3 && cut < bytes.length + 1; cut++) {
      const head = bytes.subarray(0, bytes.length - cut)
      const tail = Array.from(bytes.subarray(bytes.length - cut))
      if (classify(tail) !== 'prefix') continue
      try {
        strictDecoder.decode(head)
        return { undecoded: cut }
      } catch {
        return 'invalid'
      }
    }
    return 'invalid'
  }
}
