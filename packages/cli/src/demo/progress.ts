/** Numbered steps with their time, so a person watching the demo sees where it is and how long each part took. */
export class Progress {
  private step = 0
  constructor(
    private readonly total: number,
    private readonly write: (text: string) => void,
  ) {}

  async run<T>(title: string, fn: (note: (line: string) => void) => Promise<T>): Promise<T> {
    this.step++
    const started = Date.now()
    this.write(`[${this.step}/${this.total}] ${title}\n`)
    const note = (line: string) => this.write(`      ${line}\n`)
    try {
      const result = await fn(note)
      this.write(`      ok (${((Date.now() - started) / 1000).toFixed(1)} s)\n`)
      return result
    } catch (e) {
      this.write(
        `      FAILED after ${((Date.now() - started) / 1000).toFixed(1)} s: ${(e as Error).message}\n`,
      )
      throw new DemoStepError(title, e as Error)
    }
  }
}

export class DemoStepError extends Error {
  constructor(
    readonly step: string,
    override readonly cause: Error,
  ) {
    super(`step '${step}' failed: ${cause.message}`)
    this.name = 'DemoStepError'
  }
}
