/**
 * Schema problems as sentences a person can act on: "Epochs must be at least 1", not "Too small: expected number to
 * be >=1". The label comes from the setting's own metadata (runConfig.ts); the bound from the issue zod reports.
 */
import type { z } from 'zod'
import { RunConfig, settingRegistry, type SettingMeta } from './runConfig.ts'

type Issue = z.core.$ZodIssue

interface Walkable {
  def: { type: string; innerType?: Walkable; in?: Walkable }
  shape?: Record<string, Walkable>
}

/** The schema of a RunConfig setting by path ("augment.cropScale"), or undefined. */
export function settingSchema(path: string | readonly PropertyKey[]): z.ZodType | undefined {
  const keys = typeof path === 'string' ? path.split('.') : path.map(String)
  let s: Walkable | undefined = RunConfig as unknown as Walkable
  for (const k of keys) {
    while (s && !s.shape && (s.def.innerType || s.def.in)) s = s.def.innerType ?? s.def.in
    s = s?.shape?.[k]
    if (!s) return undefined
  }
  return s as unknown as z.ZodType
}

/** A RunConfig setting's label and help (runConfig.ts), or undefined for paths that are not settings. */
export function settingMeta(path: string | readonly PropertyKey[]): SettingMeta | undefined {
  const s = settingSchema(path)
  return s ? settingRegistry.get(s) : undefined
}

/** A grid setting's short name in words: κ, λ, τ, … (the setting's label up to its first space), "ratio" for compressions. */
export function settingWord(setting: string): string {
  if (setting === 'compressions') return 'ratio'
  const label = settingMeta(setting)?.label
  return label ? label.split(' (')[0]! : setting
}

export interface Bounds {
  min?: { value: number; inclusive: boolean }
  max?: { value: number; inclusive: boolean }
  int: boolean
  nullable: boolean
}

/** A numeric setting's bounds, read from its schema's checks (the one place they are written). */
export function settingBounds(path: string | readonly PropertyKey[]): Bounds | undefined {
  let s = settingSchema(path) as unknown as { def: { type: string; innerType?: unknown; checks?: { _zod: { def: Record<string, unknown> } }[] } } | undefined
  let nullable = false
  while (s && (s.def.type === 'nullable' || s.def.type === 'optional' || s.def.type === 'default')) {
    if (s.def.type === 'nullable') nullable = true
    s = s.def.innerType as typeof s
  }
  if (!s || s.def.type !== 'number') return undefined
  const out: Bounds = { int: false, nullable }
  for (const c of s.def.checks ?? []) {
    const d = c._zod.def
    if (d.check === 'number_format' && (d.format === 'safeint' || d.format === 'int32')) out.int = true
    if (d.check === 'greater_than') out.min = { value: d.value as number, inclusive: d.inclusive as boolean }
    if (d.check === 'less_than') out.max = { value: d.value as number, inclusive: d.inclusive as boolean }
  }
  return out
}

/** zod's own wording: replaced by ours; a message a schema wrote itself ("pick at least one model") is kept. */
const ZOD_WORDING = /^(Too small|Too big|Invalid|Unrecognized key)/

/** What is wrong with a value, without naming the setting: "must be at least 1". */
export function issueMessage(issue: Issue): string {
  if (!ZOD_WORDING.test(issue.message)) return issue.message
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'array' || issue.origin === 'set') return `needs at least ${String(issue.minimum)} value${Number(issue.minimum) === 1 ? '' : 's'}`
      if (issue.origin === 'string') return Number(issue.minimum) === 1 ? 'must not be empty' : `needs at least ${String(issue.minimum)} characters`
      return issue.inclusive === false ? `must be greater than ${String(issue.minimum)}` : `must be at least ${String(issue.minimum)}`
    case 'too_big':
      if (issue.origin === 'array' || issue.origin === 'set') return `takes at most ${String(issue.maximum)} values`
      if (issue.origin === 'string') return `takes at most ${String(issue.maximum)} characters`
      return issue.inclusive === false ? `must be less than ${String(issue.maximum)}` : `must be at most ${String(issue.maximum)}`
    case 'invalid_type': {
      const received = /received (\w+)/.exec(issue.message)?.[1]
      if (received === 'undefined' || received === 'null') return 'is required'
      if (issue.expected === 'int') return 'must be a whole number'
      if (received === 'NaN') return 'must be a number'
      return `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}`
    case 'unrecognized_keys':
      return `has unknown setting${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
    default:
      return issue.message
  }
}

/** The name of a path at the start of a sentence: the setting's label (capitalized where it is a word) or the dotted path in quotes. */
export function pathLabel(path: readonly PropertyKey[], labels: 'settings' | 'plain' = 'plain'): string {
  if (!path.length) return 'The request'
  const meta = labels === 'settings' ? settingMeta(path) : undefined
  return meta?.label ?? `"${path.map(String).join('.')}"`
}

/** One sentence naming the setting and the fix: "Epochs must be at least 1." */
export function issueSentence(issue: Issue, labels: 'settings' | 'plain' = 'plain'): string {
  const label = pathLabel(issue.path, labels)
  // A schema's own message is a phrase of its own ("id is empty"): after a colon, not inside our sentence.
  return ZOD_WORDING.test(issue.message) ? `${label} ${issueMessage(issue)}.` : `${label}: ${issue.message}.`
}
