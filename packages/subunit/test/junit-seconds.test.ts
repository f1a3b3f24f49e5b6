import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { junitSeconds } from '../src/index.js'
import { PYTHON } from './support/reference.js'

// junitxml's _duration and '%0.3f', on a timedelta of exactly these microseconds.
const PY_FORMAT = `
import datetime, sys
for line in sys.stdin:
    delta = datetime.timedelta(microseconds=int(line))
    seconds = delta.days * 3600*24 + delta.seconds
    print('%0.3f' % (seconds + 0.000001 * delta.microseconds))
`

describe('junitSeconds prints what junitxml prints', () => {
  it('for ties, near-ties, negatives, long runs and random durations', () => {
    const values: number[] = []
    for (let ms = 0; ms < 3000; ms++)
      for (const d of [-501, -500, -499, -1, 0, 1, 499, 500, 501]) values.push(ms * 1000 + d)
    for (const s of [59, 3599, 86399, 86400, 999_999, 1_000_000, 123_456_789]) {
      for (const r of [0, 499, 500, 501, 62_500, 187_500, 999_499, 999_500, 999_501, 999_999])
        values.push(s * 1e6 + r)
    }
    for (const n of [-1, -1500, -1400, -999_999, -1_000_000, -86_400_000_001]) values.push(n)
    // Runs of years, where a double holds fewer digits after the point.
    for (const n of [1e12 + 499, 1e14 + 501, 2 ** 49 - 1, 2 ** 49 - 501, 2 ** 49 + 1, 2 ** 50 + 499])
      values.push(n)
    // A fixed generator: the same values every run.
    let x = 12345
    for (let i = 0; i < 20_000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648
      values.push((x % 40_000_000) - 1_000_000)
    }
    const expected = execFileSync(PYTHON, ['-c', PY_FORMAT], {
      input: values.join('\n') + '\n',
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
    const ours = values.map(junitSeconds)
    const wrong = values.flatMap((v, i) =>
      ours[i] === expected[i] ? [] : [`${v}: ${ours[i]} != ${expected[i]}`],
    )
    expect(wrong.slice(0, 5)).toEqual([])
    expect(ours).toHaveLength(expected.length)
  })
})
