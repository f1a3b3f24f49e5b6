/**
 * Typed errors of the Gerrit client. Each carries what a caller decides on: the HTTP status,
 * whether trying again can help, and whether a write may have happened although it failed.
 * Messages name the method and path, never credentials.
 */
export class GerritError extends Error {
  /** Trying the same request again may succeed (5xx, 429, network errors). */
  readonly retryable: boolean
  /** A write was sent and may have been applied (timeout, reset, 5xx after the request arrived). */
  readonly outcomeUnknown: boolean
  /** How many attempts were made before giving up. */
  attempts = 1

  constructor(message: string, opts: { retryable: boolean; outcomeUnknown?: boolean; cause?: unknown }) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined)
    this.name = 'GerritError'
    this.retryable = opts.retryable
    this.outcomeUnknown = opts.outcomeUnknown ?? false
  }
}

/** Gerrit answered with a non-2xx status. */
export class GerritHttpError extends GerritError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** Gerrit's text/plain error body, trimmed. */
    readonly body: string,
    /** Seconds from Retry-After (429/503), when sent. */
    readonly retryAfterSeconds?: number,
  ) {
    const retryable = status === 429 || status >= 500
    super(`${method} ${path}: HTTP ${status}${body ? `: ${body.slice(0, 300)}` : ''}`, {
      retryable,
      // 503 and 429 say the request was refused; any other 5xx may come after the write happened.
      outcomeUnknown: method !== 'GET' && status >= 500 && status !== 503,
    })
    this.name = 'GerritHttpError'
  }
}

/** No HTTP answer: connection refused or reset, DNS failure, or no reply within the timeout. */
export class GerritNetworkError extends GerritError {
  constructor(
    readonly method: string,
    readonly path: string,
    /** ECONNRESET, ECONNREFUSED, ETIMEDOUT (our per-attempt timeout), ... */
    readonly code: string,
    cause?: unknown,
  ) {
    // Refused or unresolved connections never carried the request; anything later might have.
    const notSent = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)
    super(`${method} ${path}: ${code === 'ETIMEDOUT' ? 'no reply before the timeout' : code}`, {
      retryable: true,
      outcomeUnknown: method !== 'GET' && !notSent,
      cause,
    })
    this.name = 'GerritNetworkError'
  }
}

/** Gerrit's reply was not the JSON the API documents. */
export class GerritProtocolError extends GerritError {
  constructor(message: string) {
    super(message, { retryable: false })
    this.name = 'GerritProtocolError'
  }
}

/** A caller's input that cannot make a valid request or report (names the input). */
export class GerritInputError extends GerritError {
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(`${input}: ${message}`, { retryable: false })
    this.name = 'GerritInputError'
  }
}
