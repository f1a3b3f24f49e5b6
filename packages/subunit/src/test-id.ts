/** A test id split the way people read tempest results. */
export interface TestIdParts {
  /** Everything before the method: `tempest.api.compute.servers.test_x.ServersTest`. */
  className: string
  /** The method without its attributes: `test_list_servers`. */
  method: string
  /** `[id-…,smoke]` attributes, in order: ['id-77fd…', 'smoke']. */
  attributes: string[]
  /** The tempest idempotent id (the uuid of the `id-` attribute), when present. */
  uuid?: string
}

/**
 * Splits `pkg.mod.Class.test_m[id-…,smoke]` into class, method and attributes. Dots inside the
 * attribute brackets or a scenario suffix `(…)` do not count as separators.
 */
export function parseTestId(id: string): TestIdParts {
  let main = id
  let attributes: string[] = []
  const bracket = /\[([^\]]*)\]((?:\([^)]*\))?)$/.exec(id)
  if (bracket && bracket.index > 0) {
    main = id.slice(0, bracket.index) + bracket[2]
    attributes = bracket[1]!
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean)
  }
  const paren = main.indexOf('(')
  const dot = main.lastIndexOf('.', paren === -1 ? main.length : paren)
  const className = dot === -1 ? '' : main.slice(0, dot)
  const method = dot === -1 ? main : main.slice(dot + 1)
  const idAttr = attributes.find((a) => a.startsWith('id-'))
  const parts: TestIdParts = { className, method, attributes }
  if (idAttr) parts.uuid = idAttr.slice(3)
  return parts
}

/**
 * junitxml's classname/name split (python-junitxml 0.7 `_test_case_string`): the last '.' before
 * the first '(' — and, because it passes -1 as the end when there is no '(', never the last byte.
 */
export function junitNames(id: string): { classname: string; name: string } {
  const paren = id.indexOf('(')
  const end = paren === -1 ? id.length - 1 : paren
  const dot = end - 1 < 0 ? -1 : id.lastIndexOf('.', end - 1)
  if (dot === -1) return { classname: '', name: id }
  return { classname: id.slice(0, dot), name: id.slice(dot + 1) }
}
