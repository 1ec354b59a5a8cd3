/**
 * Every RunConfig setting as a command-line flag, generated from the zod schema (so a new setting gets a flag
 * without touching the CLI): `learningRate` → `--learning-rate`, nested `augment.cropScale` → `--augment-crop-scale`,
 * `split.kfold` → `--split-kfold`. Values are parsed by the field's type, merged over the preset defaults and a
 * `--config FILE` (JSON or YAML), and the result is validated by the same RunConfig schema; any problem is a
 * CliError (exit code 2) naming the flag.
 */
import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { Option, type Command } from 'commander'
import { parse as parseYaml } from 'yaml'
import { RunConfig } from '../contract/index.ts'
import { CliError } from './output.ts'

type Kind = 'int' | 'number' | 'boolean' | 'string' | 'enum' | 'int-list' | 'number-list' | 'enum-list'

export interface FlagSpec {
  /** Path in RunConfig, e.g. ['augment', 'cropScale']. */
  path: string[]
  /** Long flag name without dashes, e.g. 'augment-crop-scale'. */
  flag: string
  kind: Kind
  nullable: boolean
  choices?: string[]
}

/** Set elsewhere: datasetId by --data, preset and target by their own flags, column overrides only in a config file. */
const NOT_FLAGS = new Set(['datasetId', 'preset', 'target', 'columns'])
/** Flag names kept from before the flags were generated. */
const RENAMED: Record<string, string> = { compressions: 'compression' }
const HELP: Record<string, string> = {
  name: 'run name',
  models: 'comma-separated models',
  seeds: 'number of seeds',
  compressions: 'compression ratio(s) r, keep 1/r of the encoder weights; e.g. 8 or 4,8,16',
  epochs: 'supernetwork epochs (finetune epochs too unless --finetune-epochs)',
  finetuneEpochs: 'finetune epochs after pruning',
  batchSize: 'minibatch size',
  learningRate: 'learning rate',
  weightDecay: 'weight decay',
  depth: 'MLP supernetwork: hidden layers',
  width: 'MLP supernetwork: units per hidden layer',
  kappa: 'PIS: scale κ of the initial weights',
  lambda: 'ILO: weight λ of the contrastive term',
  tau: 'ILO: temperature τ',
  projectionHead: 'ILO: projection head (true|false)',
  patience: 'early stopping: epochs without val improvement (0 = never)',
  maxRows: 'train on a stratified sample of at most n rows, or "all" (quick preset: 50,000 on big files)',
  'augment.translate': 'images: max translation in pixels',
  'augment.flip': 'images: random horizontal flip (true|false)',
  'augment.cropScale': 'images: random resized crop, minimum area (1 = off)',
  'augment.colorJitter': 'images: brightness/contrast jitter (0 = off)',
  'augment.grayscale': 'images: probability of random grayscale',
  'augment.corruption': 'tabular: SCARF corruption rate',
  'augment.noise': 'tabular: std of Gaussian noise on standardized features',
  'split.train': 'train share (train + val + test = 1)',
  'split.val': 'validation share',
  'split.test': 'test share',
  'split.kfold': 'repeated stratified k-fold: k, or "none"'
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())

// zod 4 internals read here: def.type, unwrap(), isInt, element, options, shape. Kept in one place.
interface ZodLike {
  def: { type: string; innerType?: ZodLike; element?: ZodLike }
  isInt?: boolean
  options?: string[]
  shape?: Record<string, ZodLike>
}

function describeField(path: string[], schema: ZodLike): FlagSpec[] {
  let s = schema
  let nullable = false
  while (s.def.type === 'optional' || s.def.type === 'nullable' || s.def.type === 'default') {
    if (s.def.type === 'nullable') nullable = true
    s = s.def.innerType!
  }
  const name = path[path.length - 1]!
  const flag = path.length === 1 ? (RENAMED[name] ?? kebab(name)) : path.map(kebab).join('-')
  switch (s.def.type) {
    case 'object':
      return Object.entries(s.shape!).flatMap(([k, v]) => describeField([...path, k], v))
    case 'number':
      return [{ path, flag, kind: s.isInt ? 'int' : 'number', nullable }]
    case 'boolean':
      return [{ path, flag, kind: 'boolean', nullable }]
    case 'string':
      return [{ path, flag, kind: 'string', nullable }]
    case 'enum':
      return [{ path, flag, kind: 'enum', nullable, choices: s.options }]
    case 'array': {
      const el = s.def.element!
      if (el.def.type === 'enum') return [{ path, flag, kind: 'enum-list', nullable, choices: el.options }]
      if (el.def.type === 'number') return [{ path, flag, kind: el.isInt ? 'int-list' : 'number-list', nullable }]
      return []
    }
    default:
      return []
  }
}

let cached: FlagSpec[] | undefined
export function runConfigFlags(): FlagSpec[] {
  cached ??= Object.entries(RunConfig.shape as unknown as Record<string, ZodLike>)
    .filter(([k]) => !NOT_FLAGS.has(k))
    .flatMap(([k, v]) => describeField([k], v))
  return cached
}

const attribute = (spec: FlagSpec) => new Option(`--${spec.flag} <v>`).attributeName()

function placeholder(spec: FlagSpec): string {
  const base = { int: 'n', number: 'x', boolean: 'bool', string: 'text', enum: 'choice', 'int-list': 'list', 'number-list': 'list', 'enum-list': 'list' }[
    spec.kind
  ]
  return spec.nullable ? `${base}|${spec.path.join('.') === 'maxRows' ? 'all' : 'none'}` : base
}

/** Adds one option per RunConfig field (and --config FILE) to a command. */
export function addRunConfigOptions(cmd: Command): Command {
  cmd.option('--config <file>', 'settings from a JSON or YAML file (as printed by `iunet config`); flags override it')
  for (const spec of runConfigFlags()) {
    const key = spec.path.join('.')
    let help = HELP[key] ?? key
    if (spec.choices) help += ` (${spec.choices.join(spec.kind === 'enum-list' ? ',' : ' | ')})`
    if (spec.kind === 'boolean') {
      cmd.addOption(new Option(`--${spec.flag} [${placeholder(spec)}]`, help))
      cmd.addOption(new Option(`--no-${spec.flag}`, `same as --${spec.flag} false`).hideHelp())
    } else {
      cmd.addOption(new Option(`--${spec.flag} <${placeholder(spec)}>`, help))
    }
  }
  return cmd
}

const NULL_WORDS = new Set(['none', 'null', 'all', 'off'])

/** Parses one flag's raw value by the field's type; throws a CliError naming the flag. */
export function parseFlagValue(spec: FlagSpec, raw: unknown): unknown {
  const flag = `--${spec.flag}`
  const fail = (what: string): never => {
    throw new CliError(`${flag}: expected ${what}, got "${String(raw)}"`)
  }
  if (typeof raw === 'boolean') return spec.kind === 'boolean' ? raw : fail('a value')
  const s = String(raw).trim()
  if (spec.nullable && NULL_WORDS.has(s.toLowerCase())) return null
  const num = (t: string, int: boolean) => {
    const n = t === '' ? NaN : Number(t)
    if (!Number.isFinite(n)) fail(int ? 'an integer' : 'a number')
    if (int && !Number.isInteger(n)) fail('an integer')
    return n
  }
  const choice = (t: string) => (spec.choices!.includes(t) ? t : fail(`one of ${spec.choices!.join(', ')}`))
  switch (spec.kind) {
    case 'int':
      return num(s, true)
    case 'number':
      return num(s, false)
    case 'boolean': {
      const v = s.toLowerCase()
      if (['true', '1', 'yes', 'on'].includes(v)) return true
      if (['false', '0', 'no'].includes(v)) return false
      return fail('true or false')
    }
    case 'string':
      return s
    case 'enum':
      return choice(s)
    case 'int-list':
    case 'number-list':
      return s.split(',').map((t) => num(t.trim(), spec.kind === 'int-list'))
    case 'enum-list':
      return s.split(',').map((t) => choice(t.trim()))
  }
}

type Tree = Record<string, unknown>
const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v)

function setPath(tree: Tree, path: string[], value: unknown) {
  let node = tree
  for (const k of path.slice(0, -1)) node = (node[k] = isTree(node[k]) ? node[k] : {}) as Tree
  node[path[path.length - 1]!] = value
}

/** The settings given as flags, as a partial RunConfig tree (commander's parsed options in, by attribute name). */
export function flagOverrides(options: Record<string, unknown>): Tree {
  const out: Tree = {}
  for (const spec of runConfigFlags()) {
    const raw = options[attribute(spec)]
    if (raw !== undefined) setPath(out, spec.path, parseFlagValue(spec, raw))
  }
  return out
}

/** Reads a config file (JSON, or YAML for any other extension); unknown settings are refused, not ignored. */
export function loadConfigFile(file: string): Tree {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new CliError(`--config: cannot read "${file}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
  }
  let doc: unknown
  try {
    doc = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text)
  } catch (e) {
    throw new CliError(`--config ${file}: not valid ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`)
  }
  if (!isTree(doc)) throw new CliError(`--config ${file}: expected a mapping of settings (as printed by \`iunet config\`)`)
  const check = (node: Tree, shape: Record<string, ZodLike>, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      const field = shape[k]
      if (!field) throw new CliError(`--config ${file}: unknown setting "${prefix}${k}" (known: ${Object.keys(shape).join(', ')})`)
      if (field.def.type === 'object' && isTree(v)) check(v, field.shape!, `${prefix}${k}.`)
    }
  }
  check(doc, RunConfig.shape as unknown as Record<string, ZodLike>, '')
  return doc
}

function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base }
  for (const [k, v] of Object.entries(over)) out[k] = isTree(v) && isTree(out[k]) ? merge(out[k] as Tree, v) : v
  return out
}

/** Where a schema problem at `path` can be fixed: the flag, or the config-file key for settings without one. */
function flagFor(path: PropertyKey[]): string {
  const key = path.map(String)
  const exact = runConfigFlags().find((s) => s.path.join('.') === key.join('.'))
  if (exact) return `--${exact.flag}`
  if (key[0] === 'target') return '--target'
  if (key[0] === 'datasetId') return '--data'
  if (key[0] === 'preset') return '--preset'
  // An object-level rule (split: train + val + test = 1) names the flags it is about.
  const children = runConfigFlags().filter((s) => key.length && key.every((k, i) => s.path[i] === k) && !s.nullable)
  if (children.length) return children.map((s) => `--${s.flag}`).join('/')
  const prefix = runConfigFlags().find((s) => s.path.every((k, i) => key[i] === k))
  return prefix ? `--${prefix.flag}` : key.join('.') || 'config'
}

/**
 * Preset defaults ← config file ← flags, validated by RunConfig. `--epochs` alone also sets the finetune epochs
 * (as before the flags were generated), unless the finetune epochs are given too.
 */
export function resolveRunConfig(base: RunConfig, file: Tree, flags: Tree): RunConfig {
  const over = merge(file, flags)
  if (over.epochs !== undefined && over.finetuneEpochs === undefined) over.finetuneEpochs = over.epochs
  const candidate = merge(base as unknown as Tree, over)
  const r = RunConfig.safeParse(candidate)
  if (!r.success) throw new CliError(r.error.issues.map((i) => `${flagFor(i.path)}: ${i.message}`).join('; '))
  return r.data
}
