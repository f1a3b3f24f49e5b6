/**
 * Zuul's elapsed-time format in report lines: ' in %dh %02dm %02ds' / ' in %dm %02ds' / ' in %ds'
 * (zuul/reporter/__init__.py). Returns the part after ' in '.
 */
export function formatZuulDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  const pad = (n: number) => String(n).padStart(2, '0')
  if (h > 0) return `${h}h ${pad(m)}m ${pad(sec)}s`
  if (m > 0) return `${m}m ${pad(sec)}s`
  return `${sec}s`
}
