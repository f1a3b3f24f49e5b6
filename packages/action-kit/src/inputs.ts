import { existsSync, statSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import * as core from '@actions/core'

/** A bad input: the message starts with the input's name, which is what a user must fix. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(`input '${input}': ${message}`)
    this.name = 'InputError'
  }
}

/** The input, trimmed; '' when not given (the runner sets declared defaults itself). */
export function textInput(name: string): string {
  return core.getInput(name).trim()
}

export function requiredInput(name: string): string {
  const v = textInput(name)
  if (!v) throw new InputError(name, 'is required')
  return v
}

/**
 * true/yes/1 or false/no/0 in any case; empty is false. Looser than core.getBooleanInput, whose
 * TypeError does not name a fix, and which rejects the 'yes' that YAML users write.
 */
export function boolInput(name: string): boolean {
  const v = textInput(name).toLowerCase()
  if (['true', 'yes', '1'].includes(v)) return true
  if (['false', 'no', '0', ''].includes(v)) return false
  throw new InputError(name, `expected true or false, got '${v}'`)
}

export interface NumberRule {
  /** Smallest allowed value (inclusive). */
  min?: number
  /** Value must be greater than 0. */
  positive?: boolean
  integer?: boolean
}

/** A number, or undefined when the input is empty. */
export function optionalNumberInput(name: string, rule: NumberRule = {}): number | undefined {
  const raw = textInput(name)
  if (raw === '') return undefined
  const n = Number(raw)
  const ok =
    Number.isFinite(n) &&
    (!rule.integer || Number.isInteger(n)) &&
    (rule.min === undefined || n >= rule.min) &&
    (!rule.positive || n > 0)
  if (!ok) {
    const kind = rule.integer ? 'a whole number' : 'a number'
    const bound = rule.positive ? ' > 0' : rule.min !== undefined ? ` ≥ ${rule.min}` : ''
    throw new InputError(name, `expected ${kind}${bound}, got '${raw}'`)
  }
  return n
}

export function numberInput(name: string, fallback: number, rule: NumberRule = {}): number {
  return optionalNumberInput(name, rule) ?? fallback
}

/** Lines (or commas) of a list input; blank lines and `#` comments dropped. */
export function listInput(name: string): string[] {
  return textInput(name)
    .split(/\r?\n|,/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith('#'))
}

/** A path made absolute against `base` (the workspace); undefined when the input is empty. */
export function pathInput(name: string, base: string): string | undefined {
  const raw = textInput(name)
  if (!raw) return undefined
  return isAbsolute(raw) ? raw : resolve(base, raw)
}

/** A path that must be an existing file. */
export function fileInput(name: string, base: string): string | undefined {
  const path = pathInput(name, base)
  if (path !== undefined && !(existsSync(path) && statSync(path).isFile())) {
    throw new InputError(name, `no such file: ${path}`)
  }
  return path
}

/** Runs a parser of an input's value, turning its error into an InputError naming the input. */
export function parseInput<T>(name: string, parse: (value: string) => T): T {
  try {
    return parse(textInput(name))
  } catch (e) {
    if (e instanceof InputError) throw e
    // Package errors often start with the field's name already ("voting: ..."); say it once.
    const message = (e as Error).message
    throw new InputError(name, message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message)
  }
}
