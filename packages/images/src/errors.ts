/** What went wrong with an image, with what a caller needs to decide (retry, fail the job, report). */
export class ImageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = new.target.name
  }
}

/** A digest or size that does not match: never retried, never used. */
export class IntegrityError extends ImageError {
  constructor(
    message: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(message)
  }
}

/** No published image matches (no latest yet, or an unknown version). */
export class ImageNotFoundError extends ImageError {}

/** The version is already published; versions are immutable once others may have downloaded them. */
export class VersionExistsError extends ImageError {}

export class HttpError extends ImageError {
  readonly retryable: boolean
  constructor(
    readonly status: number,
    readonly method: string,
    readonly url: string,
    detail: string,
  ) {
    super(`${method} ${url}: HTTP ${status}${detail ? `: ${detail}` : ''}`)
    this.retryable = status >= 500 || status === 429
  }
}

/** A command (disk-image-create, qemu, git) that failed. */
export class CommandError extends ImageError {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    detail: string,
  ) {
    super(
      `${command} failed (${exitCode === null ? 'killed' : `exit ${exitCode}`})${detail ? `: ${detail}` : ''}`,
    )
  }
}

/** The connection failed or broke off (no HTTP status): worth another attempt. */
export class NetworkError extends ImageError {
  readonly retryable = true
}
