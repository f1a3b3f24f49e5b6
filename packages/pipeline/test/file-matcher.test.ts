import { describe, expect, it } from 'vitest'
import { fileMatcher, matchingFiles, onlyIrrelevant, parsePatternList, realFiles } from '../src/index.js'

describe('file matchers', () => {
  const irrelevant = fileMatcher(parsePatternList('doc/**\n**/*.rst, releasenotes/**\n^.*\\.txt$\n# comment'))
  it('matches globs and Zuul regexes', () => {
    expect(irrelevant.patterns).toHaveLength(4)
    expect(irrelevant.matches('doc/source/index.rst')).toBe(true)
    expect(irrelevant.matches('ironic/api/README.rst')).toBe(true)
    expect(irrelevant.matches('requirements.txt')).toBe(true)
    expect(irrelevant.matches('ironic/drivers/ipmi.py')).toBe(false)
  })
  it('treats a change as irrelevant only when every real file matches', () => {
    expect(onlyIrrelevant(['/COMMIT_MSG', 'doc/a.rst', 'releasenotes/notes/x.yaml'], irrelevant)).toBe(true)
    expect(onlyIrrelevant(['/COMMIT_MSG', 'doc/a.rst', 'ironic/x.py'], irrelevant)).toBe(false)
    expect(onlyIrrelevant(['/COMMIT_MSG'], irrelevant)).toBe(false)
    expect(onlyIrrelevant(['doc/a.rst'], fileMatcher([]))).toBe(false)
  })
  it('reports which files matched', () => {
    expect(matchingFiles(['appliance/a.py', 'README.md'], fileMatcher(['appliance/**']))).toEqual([
      'appliance/a.py',
    ])
  })
  it('drops blank and # comment patterns; realFiles drops /COMMIT_MSG and /MERGE_LIST', () => {
    expect(fileMatcher(['doc/**', '', '  # appliance', ' ^x$ ']).patterns).toEqual(['doc/**', '^x$'])
    expect(realFiles(['/COMMIT_MSG', '/MERGE_LIST', 'a.py'])).toEqual(['a.py'])
  })
  it('names a bad regex', () => {
    expect(() => fileMatcher(['^(unclosed'])).toThrow(/invalid file pattern '\^\(unclosed'/)
  })
})
