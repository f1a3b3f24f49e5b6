import { describe, expect, it } from 'vitest'
import { dibPhase } from '../src/build.js'

describe('DIB log phases', () => {
  it('finds phases outside and inside the chroot', () => {
    expect(
      dibPhase('2026-11-21 23:20:04.003 | Running hooks from /tmp/dib_build.n9dANB6U/hooks/root.d'),
    ).toBe('root.d')
    expect(
      dibPhase(
        '2026-11-21 23:20:38.673 | dib-run-parts Sourcing environment file /tmp/in_target.d/pre-install.d/../environment.d/10-base-defaults',
      ),
    ).toBe('pre-install.d')
    expect(
      dibPhase('2026-11-21 23:20:38.036 | Running hooks in /etc/ca-certificates/update.d...'),
    ).toBeUndefined()
    expect(
      dibPhase('Copying hooks /usr/lib/elements/package-installs/install.d/01-package-installs'),
    ).toBeUndefined()
  })
})
