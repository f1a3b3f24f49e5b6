/**
 * Switches a test flips to make the server misbehave the ways the real one does: uploads that die
 * half-way (network drop, runner killed), bodies that arrive altered, and 5xx answers.
 */
export interface FailureRule {
  method?: string
  /** Matched against the request path (with the /api/v3 or /api/uploads prefix). */
  path: string | RegExp
  status: number
  /** How many matching requests fail before the rule is used up. */
  times: number
  message?: string
}

export class Faults {
  /** The next upload's connection is cut once this many body bytes have arrived (used once). */
  breakUploadAfterBytes: number | undefined
  /**
   * Asset downloads are served with one byte altered (same length, so only a digest notices):
   * all of them with `true`, or those whose asset name matches the RegExp.
   */
  tamperDownloads: boolean | RegExp = false
  readonly failures: FailureRule[] = []

  failNext(rule: Omit<FailureRule, 'times'> & { times?: number }): void {
    this.failures.push({ times: 1, ...rule })
  }

  reset(): void {
    this.breakUploadAfterBytes = undefined
    this.tamperDownloads = false
    this.failures.length = 0
  }

  /** The failure rule this request hits, consuming one use of it. */
  takeFailure(method: string, path: string): FailureRule | undefined {
    const rule = this.failures.find(
      (r) =>
        r.times > 0 &&
        (!r.method || r.method.toUpperCase() === method) &&
        (typeof r.path === 'string' ? path.includes(r.path) : r.path.test(path)),
    )
    if (rule) rule.times--
    return rule
  }
}
