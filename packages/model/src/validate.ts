/** Thrown when a contract document (job result, manifest, ...) is malformed; `path` names the bad field. */
export class ContractError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`)
    this.name = 'ContractError'
  }
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

export function asObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ContractError(path, `expected an object, got ${describe(value)}`)
  }
  return value as Record<string, unknown>
}

export function asString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new ContractError(path, `expected a string, got ${describe(value)}`)
  return value
}

export function asOptionalString(value: unknown, path: string): string | undefined {
  return value === undefined || value === null ? undefined : asString(value, path)
}

export function asNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ContractError(path, `expected a number, got ${describe(value)}`)
  }
  return value
}

export function asOptionalNumber(value: unknown, path: string): number | undefined {
  return value === undefined || value === null ? undefined : asNumber(value, path)
}

export function asBoolean(value: unknown, path: string, fallback?: boolean): boolean {
  if (value === undefined && fallback !== undefined) return fallback
  if (typeof value !== 'boolean')
    throw new ContractError(path, `expected true or false, got ${describe(value)}`)
  return value
}

export function asArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new ContractError(path, `expected a list, got ${describe(value)}`)
  return value
}

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'string') return `'${value.length > 40 ? value.slice(0, 40) + '…' : value}'`
  return typeof value === 'object' ? 'an object' : String(value)
}
