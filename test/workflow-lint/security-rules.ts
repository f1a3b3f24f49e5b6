import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml'
import { PINS } from './pins.js'

/**
 * The security rules of DESIGN.md, checked on the YAML itself so each finding has a line:
 * zizmor's template-injection, excessive-permissions, unpinned-uses, artipacked, secrets-inherit
 * and dangerous-triggers audits, in the strict form we hold ourselves to.
 */
export type RuleId =
  | 'expression-in-run'
  | 'permissions-missing'
  | 'unpinned-uses'
  | 'pin-comment'
  | 'persist-credentials'
  | 'secrets-inherit'
  | 'dangerous-trigger'

export interface Finding {
  rule: RuleId
  line: number
  message: string
}

const SHA_RE = /^[0-9a-f]{40}$/
const DANGEROUS_TRIGGERS = ['pull_request_target', 'workflow_run']

function get(map: Node | null | undefined, key: string): Node | undefined {
  return isMap(map) ? ((map as YAMLMap).get(key, true) as Node | undefined) : undefined
}

function entries(map: Node | null | undefined): [string, Node | undefined][] {
  if (!isMap(map)) return []
  return map.items.map((p) => [
    String(isScalar(p.key) ? p.key.value : p.key),
    (p.value ?? undefined) as Node | undefined,
  ])
}

export function checkSecurity(text: string, kind: 'workflow' | 'action' = 'workflow'): Finding[] {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter })
  const findings: Finding[] = []
  const lineOf = (n: Node | undefined) => (n?.range ? lineCounter.linePos(n.range[0]).line : 0)
  const add = (rule: RuleId, node: Node | undefined, message: string) =>
    findings.push({ rule, line: lineOf(node), message })
  const root = doc.contents as Node

  const checkUses = (uses: Node | undefined, where: string) => {
    if (!isScalar(uses) || typeof uses.value !== 'string') return
    const ref = uses.value
    if (ref.startsWith('./') || ref.startsWith('$/') || ref.startsWith('docker://')) return
    const at = ref.lastIndexOf('@')
    const version = at >= 0 ? ref.slice(at + 1) : ''
    if (!SHA_RE.test(version)) {
      add('unpinned-uses', uses, `${where}: '${ref}' is not pinned to a full commit SHA`)
      return
    }
    const name = ref.slice(0, at).split('/').slice(0, 2).join('/')
    const pin = PINS[name as keyof typeof PINS]
    if (pin && pin.sha !== version)
      add(
        'pin-comment',
        uses,
        `${where}: ${name} is pinned to ${version}, expected ${pin.sha} (${pin.version})`,
      )
    else if (pin && !(uses.comment ?? '').includes(pin.version)) {
      add('pin-comment', uses, `${where}: ${name} needs a '# ${pin.version}' comment next to its SHA`)
    }
  }

  const checkSteps = (steps: Node | undefined, where: string) => {
    if (!isSeq(steps)) return
    steps.items.forEach((step, i) => {
      const label = `${where} step ${i + 1}`
      const run = get(step as Node, 'run')
      if (isScalar(run) && typeof run.value === 'string' && run.value.includes('${{')) {
        add(
          'expression-in-run',
          run,
          `${label}: \${{ }} inside run: — pass the value through env: and use "$VAR"`,
        )
      }
      const uses = get(step as Node, 'uses')
      checkUses(uses, label)
      if (isScalar(uses) && typeof uses.value === 'string' && uses.value.startsWith('actions/checkout@')) {
        const persist = get(get(step as Node, 'with'), 'persist-credentials')
        if (!isScalar(persist) || String(persist.value) !== 'false') {
          add(
            'persist-credentials',
            (uses as Node) ?? step,
            `${label}: actions/checkout needs persist-credentials: false`,
          )
        }
      }
    })
  }

  if (kind === 'action') {
    checkSteps(get(get(root, 'runs'), 'steps'), 'runs')
    return findings
  }

  const on = get(root, 'on')
  const triggers = isScalar(on)
    ? [String(on.value)]
    : isSeq(on)
      ? on.items.map((t) => String((t as { value?: unknown }).value))
      : entries(on).map(([k]) => k)
  for (const t of triggers) {
    if (DANGEROUS_TRIGGERS.includes(t))
      add('dangerous-trigger', on, `'${t}' runs with the base repository's secrets on untrusted code`)
  }
  const topPermissions = get(root, 'permissions')
  for (const [name, job] of entries(get(root, 'jobs'))) {
    if (!topPermissions && !get(job, 'permissions')) {
      add('permissions-missing', job, `job '${name}': no permissions: here or at the top of the workflow`)
    }
    const secrets = get(job, 'secrets')
    if (isScalar(secrets) && secrets.value === 'inherit') {
      add(
        'secrets-inherit',
        secrets,
        `job '${name}': secrets: inherit passes every secret; pass the ones needed`,
      )
    }
    checkUses(get(job, 'uses'), `job '${name}'`)
    checkSteps(get(job, 'steps'), `job '${name}'`)
  }
  return findings
}
