import { describe, expect, it } from 'vitest'
import { Attachment, failureMessage, ResultCollector } from '../src/index.js'
import { xmlAttr, xmlSafe, xmlText } from '../src/xml.js'

function text(name: string, content: string, mime = 'text/plain; charset=utf8'): Attachment {
  const a = new Attachment(name, mime, 1 << 20)
  a.append(Buffer.from(content))
  return a
}

describe('failureMessage: the one line a reporter lists', () => {
  it.each([
    ['Traceback (most recent call last):\n  File "x.py"\nAssertionError: 1 != 2\n', 'AssertionError: 1 != 2'],
    ['Traceback:\n  boom  \n\n \t\n', 'boom'],
    ['Traceback:\r\nValueError: bad\r\n', 'ValueError: bad'],
    ['one line, no newline', 'one line, no newline'],
    ['\n\nlast\n', 'last'],
    ['  \n \n', 'test fail'],
    ['', 'test fail'],
  ])('traceback %j → %j', (traceback, message) => {
    expect(failureMessage([text('traceback', traceback)], 'fail')).toBe(message)
  })

  it('prefers the traceback to other text, and cuts a very long line', () => {
    const long = 'E'.repeat(400)
    expect(failureMessage([text('pythonlogging', 'log\n'), text('traceback', `x\n${long}\n`)], 'fail')).toBe(
      'E'.repeat(297) + '...',
    )
    expect(failureMessage([text('pythonlogging', 'first\nsecond\n')], 'fail')).toBe('second')
  })
})

describe('XML escaping, with junitxml’s stripped characters', () => {
  it('strips control characters (but tab and newline), U+FFFE/FFFF and unpaired surrogates', () => {
    expect(xmlText('a\u0000b\u0008c\u000bd\u000ce\re\u001ff\tg\nh\ufffei\uffffj')).toBe('abcdeef\tg\nhij')
    expect(xmlText('x\ud83d\ude00y\ud83dz\ude00w')).toBe('x\ud83d\ude00yzw')
  })

  it('escapes markup in text, and quotes and whitespace in attributes', () => {
    expect(xmlText('if a < b && c > d: "ok"\n')).toBe('if a &lt; b &amp;&amp; c &gt; d: "ok"\n')
    expect(xmlAttr('a "b" <c>\td\ne\rf & g')).toBe('a &quot;b&quot; &lt;c&gt;&#x9;d&#xA;ef &amp; g')
  })

  it('sends to escaping every string with a character that needs it, and only those', () => {
    const needsWork = (c: number) =>
      c < 0x20 || '&<>"'.includes(String.fromCharCode(c)) || (c >= 0xd800 && c <= 0xdfff) || c >= 0xfffe
    const wrong: string[] = []
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c)
      for (const s of [ch, `test_id.Class.test_m${ch}`, `${ch}[id-1]`])
        if (xmlSafe(s) === needsWork(c)) wrong.push(`U+${c.toString(16)} in ${JSON.stringify(s)}`)
    }
    expect(wrong).toEqual([])
    expect(xmlSafe('')).toBe(true)
  })

  it('escapes or strips every character of a multi-line text that needs it, and only those', () => {
    const expected = (c: number) => {
      const ch = String.fromCharCode(c)
      if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0xd800 && c <= 0xdfff) || c >= 0xfffe) return ''
      return ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' } as Record<string, string>)[ch] ?? ch
    }
    const wrong: number[] = []
    for (let c = 0; c <= 0xffff; c++)
      if (
        xmlText(`Traceback:\n  x = "${String.fromCharCode(c)}"\n`) !== `Traceback:\n  x = "${expected(c)}"\n`
      )
        wrong.push(c)
    expect(wrong).toEqual([])
  })

  it('leaves plain text alone', () => {
    const s = 'tempest.api.compute.servers.test_x.ServersTest.test_list[id-1,smoke] ü'
    expect(xmlText(s)).toBe(s)
    expect(xmlAttr(s)).toBe(s)
  })
})

describe('Attachment copies', () => {
  it('keeps a copy of bytes appended from a Buffer (whose slice() would be a view)', () => {
    const source = Buffer.from('original')
    const a = new Attachment('log', 'text/plain', 1 << 20)
    a.append(source)
    source.write('CHANGED!')
    expect(a.text()).toBe('original')
    const pinned = new Attachment('log', 'text/plain', 1 << 20)
    pinned.append(source, false)
    pinned.materialize()
    source.write('again!!!')
    expect(pinned.text()).toBe('CHANGED!')
  })

  it('detach() copies what a running test holds of a Buffer, so the caller may reuse it', () => {
    const source = Buffer.from('first log')
    const results = new ResultCollector()
    results.handle({ testId: 't', status: 'inprogress', runnable: true, eof: false })
    results.handle({ testId: 't', fileName: 'pythonlogging', fileBytes: source, runnable: true, eof: false })
    results.detach()
    source.write('REUSED!!!')
    results.handle({ testId: 't', status: 'fail', runnable: true, eof: false })
    expect(results.tests[0]!.attachments.map((a) => a.text())).toEqual(['first log'])
  })
})
