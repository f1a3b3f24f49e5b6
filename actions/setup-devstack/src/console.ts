import { randomUUID } from 'node:crypto'
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import { dirname } from 'node:path'
import { phaseTitle, scrubber } from '@stackci/devstack'

/**
 * stack.sh's output as the runner log shows it: one ::group:: per devstack phase, secrets scrubbed
 * (masks only cover what the runner prints; the copy in log-dir must be clean too), and workflow
 * commands disabled while it prints, since the change under test controls that output and must not
 * be able to set outputs or add masks.
 */
export class StackConsole {
  private readonly token = randomUUID()
  private readonly file: WriteStream
  /** Set up once: line() runs for every line stack.sh prints. */
  private readonly scrub: (text: string) => string
  private open = false
  lines = 0

  constructor(
    secrets: readonly string[],
    copyPath: string,
    private readonly write: (text: string) => void = (t) => void process.stdout.write(t),
  ) {
    this.scrub = scrubber(secrets)
    mkdirSync(dirname(copyPath), { recursive: true })
    this.file = createWriteStream(copyPath)
    this.group('stack.sh')
  }

  private group(title: string): void {
    const end = this.open ? '::endgroup::\n' : ''
    this.write(`::${this.token}::\n${end}::group::${title}\n::stop-commands::${this.token}\n`)
    this.open = true
  }

  line(raw: string): void {
    const text = this.scrub(raw)
    const title = phaseTitle(text)
    if (title) this.group(title)
    this.write(`${text}\n`)
    this.file.write(`${text}\n`)
    this.lines++
  }

  async close(): Promise<void> {
    this.write(`::${this.token}::\n${this.open ? '::endgroup::\n' : ''}`)
    this.open = false
    await new Promise<void>((res) => this.file.end(res))
  }
}
