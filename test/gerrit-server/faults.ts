/**
 * Fault switches: each rule matches requests by method and path and fires for its next `times`
 * matching requests, in the order rules were added.
 *
 * - `status`: answer with that status (500, 503, 429 + Retry-After, ...) without touching state.
 * - `reset`: destroy the connection before the request is processed (nothing stored).
 * - `hang`: never answer and never process; the client has to time out.
 * - `lost-reply`: process the request (the review is stored) and then lose the answer: the
 *   connection is reset (`after: 'reset'`, default) or left hanging (`after: 'hang'`).
 */
export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'lost-reply'; after?: 'reset' | 'hang' }

/**
 * Every way a review POST can fail that a reporter must survive with exactly one comment left:
 * the table both the gerrit package and the report-to-gerrit action run their retry tests over.
 */
export const REVIEW_FAULTS: readonly [string, Fault][] = [
  ['500', { kind: 'status', status: 500 }],
  ['503', { kind: 'status', status: 503 }],
  ['429 with Retry-After', { kind: 'status', status: 429, retryAfter: '1' }],
  ['a connection reset', { kind: 'reset' }],
  ['a reply that never comes', { kind: 'hang' }],
  ['a stored review whose reply is lost', { kind: 'lost-reply' }],
  ['a stored review whose reply never comes', { kind: 'lost-reply', after: 'hang' }],
]

export interface FaultMatch {
  /** HTTP method, e.g. 'POST' (default: any). */
  method?: string
  /**
   * Matched against the request path without the server's path prefix and without `/a/`, e.g.
   * `/changes/p~1/revisions/current/review`: a RegExp, or a string the path must contain.
   */
  path?: RegExp | string
  /** How many matching requests the fault hits (default 1). */
  times?: number
}

export interface FaultRule {
  fault: Fault
  match: FaultMatch
  remaining: number
  /** Requests this rule has hit so far. */
  hits: number
}

export class FaultSwitches {
  private rules: FaultRule[] = []

  add(fault: Fault, match: FaultMatch = {}): FaultRule {
    const rule: FaultRule = { fault, match, remaining: match.times ?? 1, hits: 0 }
    this.rules.push(rule)
    return rule
  }

  clear(): void {
    this.rules = []
  }

  /** Rules that still have hits left. */
  pending(): FaultRule[] {
    return this.rules.filter((r) => r.remaining > 0)
  }

  /** The fault for this request, consuming one hit of the first matching rule. */
  take(method: string, path: string): Fault | undefined {
    for (const rule of this.rules) {
      if (rule.remaining <= 0) continue
      if (rule.match.method && rule.match.method.toUpperCase() !== method) continue
      const p = rule.match.path
      if (p !== undefined && !(typeof p === 'string' ? path.includes(p) : p.test(path))) continue
      rule.remaining--
      rule.hits++
      return rule.fault
    }
    return undefined
  }
}
