/**
 * The wizard's settings read from the contract's metadata (label, help, step) and bounds (the schema's checks), and
 * a setting's value read or written by its dotted path (DOM-free). Nothing here knows a bound of its own.
 */
import { settingBounds, settingMeta, type Bounds } from '@contract'

/** "1 to 2000", "> 0 and ≤ 1", "≥ 0": a setting's allowed range, from its schema. */
export function rangeText(b: Bounds | undefined): string {
  if (!b || (!b.min && !b.max)) return ''
  const lo = b.min ? `${b.min.inclusive ? '≥' : '>'} ${b.min.value}` : ''
  const hi = b.max ? `${b.max.inclusive ? '≤' : '<'} ${b.max.value}` : ''
  if (b.min?.inclusive && b.max?.inclusive) return `${b.min.value} to ${b.max.value}${b.int ? ', whole' : ''}`
  return [lo, hi].filter(Boolean).join(' and ') + (b.int ? ', whole' : '')
}

export interface SettingView {
  path: string
  label: string
  help: string
  /** The + / − step: the setting's own, else 1 for whole numbers and 0.1 otherwise. */
  step: number
  unit?: string
  range: string
}

/** A setting as the wizard shows it; throws for a path that is not a RunConfig setting (a typo in a view). */
export function settingView(path: string): SettingView {
  const meta = settingMeta(path)
  if (!meta) throw new Error(`"${path}" is not a run setting`)
  const b = settingBounds(path)
  return { path, label: meta.label, help: meta.help, step: meta.step ?? (b && !b.int ? 0.1 : 1), unit: meta.unit, range: rangeText(b) }
}

/** The value at a dotted path ("augment.noise") of a config. */
export function getSetting(config: object, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), config)
}

/** Sets the value at a dotted path in place (the wizard edits its config object; groups along the path exist). */
export function setSetting(config: object, path: string, value: unknown): void {
  const keys = path.split('.')
  const last = keys.pop()!
  const parent = keys.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, config as Record<string, unknown>)
  parent[last] = value
}

/** A share's range in percent ("more than 0 % and less than 100 %"), for the split fields that show shares as %. */
export function percentRange(path: string): string {
  const b = settingBounds(path)
  const pct = (v: number) => `${Number((v * 100).toPrecision(6))} %`
  const lo = b?.min ? `${b.min.inclusive ? 'at least' : 'more than'} ${pct(b.min.value)}` : ''
  const hi = b?.max ? `${b.max.inclusive ? 'at most' : 'less than'} ${pct(b.max.value)}` : ''
  return [lo, hi].filter(Boolean).join(' and ')
}
