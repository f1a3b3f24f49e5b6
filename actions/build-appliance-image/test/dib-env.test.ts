import { describe, expect, it } from 'vitest'
import { parseDibEnv } from '../src/inputs.js'

describe('dib-env input', () => {
  it('takes KEY=VALUE lines and heredocs kept verbatim (YAML indentation matters)', () => {
    const env = parseDibEnv(`DIB_RELEASE=bookworm
# comment
DIB_BLOCK_DEVICE_CONFIG<<YAML
- local_loop:
    name: image0
YAML
EMPTY=
`)
    expect(env).toEqual({
      DIB_RELEASE: 'bookworm',
      DIB_BLOCK_DEVICE_CONFIG: '- local_loop:\n    name: image0',
      EMPTY: '',
    })
  })

  it('names the bad line', () => {
    expect(() => parseDibEnv('DIB_RELEASE bookworm')).toThrow(
      "input 'dib-env': line 1 is not KEY=VALUE or KEY<<DELIMITER: 'DIB_RELEASE bookworm'",
    )
    expect(() => parseDibEnv('X<<EOF\na')).toThrow("X<<EOF (line 1) has no closing 'EOF' line")
  })
})
