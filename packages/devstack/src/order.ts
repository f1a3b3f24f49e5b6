/** A dependency cycle; `cycle` lists the names in order, the first repeated at the end. */
export class CycleError extends Error {
  constructor(
    readonly what: string,
    readonly cycle: string[],
  ) {
    super(`dependency cycle among ${what}: ${cycle.join(' -> ')}`)
    this.name = 'CycleError'
  }
}

/**
 * Orders `names` so each comes after everything it depends on. Ties are broken alphabetically, the
 * order write-devstack-local-conf starts from; unlike its recursive walk (which can put a
 * transitive dependency after the plugin that needs it) this is a depth-first post-order, so the
 * result is a true topological order. Dependencies outside `names` are ignored by this function:
 * callers decide whether those are errors.
 */
export function dependencyOrder(
  names: Iterable<string>,
  dependsOn: (name: string) => Iterable<string>,
  what: string,
): string[] {
  const known = new Set(names)
  const sorted = [...known].sort(codepointCompare)
  const done = new Set<string>()
  const onPath: string[] = []
  const out: string[] = []
  const visit = (name: string): void => {
    if (done.has(name)) return
    const at = onPath.indexOf(name)
    if (at >= 0) throw new CycleError(what, [...onPath.slice(at), name])
    onPath.push(name)
    const deps = [...new Set(dependsOn(name))].filter((d) => d !== name && known.has(d))
    for (const dep of deps.sort(codepointCompare)) visit(dep)
    onPath.pop()
    done.add(name)
    out.push(name)
  }
  for (const name of sorted) visit(name)
  return out
}

/** Python's sorted() order on str, which the upstream role uses (not localeCompare). */
export function codepointCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
