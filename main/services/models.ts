/**
 * Trained models on disk, their export bundles, and predictions with them.
 *
 * Every trained (model, seed, ratio) of a run keeps its final (evaluated) weights, written atomically (a temp folder,
 * then a rename) to
 *   <dataDir>/runs/<runId>/models/<model>__seed<seed>[__fold<fold>]__r<ratio>/  weights.bin · model.json · preprocessing.json
 *   (the fold only under k-fold splits, so every fold keeps its own weights)
 * An export bundle is a folder: model.onnx, model.json + weights.bin (tfjs weights manifest), preprocessing.json, card.md.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { strToU8, zipSync } from 'fflate'
import { basename, join, resolve, sep } from 'node:path'
import { randomBytes } from 'node:crypto'
import { ApiError, MODEL_LABELS, type ModelKind, type ModelResult } from '../contract/index.ts'
import { encodeRecords, readCsvRecords } from '../data/records.ts'
import type { SerializedPreprocessor } from '../data/preprocess.ts'
import { initBackend } from '../engine/backend.ts'
import { exportOnnx, inputWidth, ONNX_OPSET } from '../engine/export/onnx.ts'
import { exportTfjsLayers } from '../engine/export/tfjs.ts'
import { predictProbabilities, type TrainedModel, type TrainedTensor } from '../engine/export/trained.ts'
import type { ModelSpec } from '../engine/models/types.ts'
import type { EngineJobResult } from '../engine/types.ts'
import type { Store } from '../store/index.ts'
import type { DataInfo } from '../workers/protocol.ts'
import { checkFileAccess, type FileAccess } from './datasets.ts'

const WEIGHTS = 'weights.bin'
const MANIFEST = 'model.json'
const PREPROCESSING = 'preprocessing.json'

interface WeightEntry {
  name: string
  shape: number[]
  dtype: 'float32'
}

/**
 * model.json of a stored model ('iunet-weights': a tfjs weights manifest in the app's tensor names) and of a bundle
 * ('layers-model': a tfjs layers model; `iunet.tensors` maps its weights, in manifest order, back to the app's names).
 */
interface Manifest {
  format: 'iunet-weights' | 'layers-model'
  generatedBy: string
  modelTopology?: Record<string, unknown>
  weightsManifest: Array<{ paths: string[]; weights: WeightEntry[] }>
  userDefinedMetadata: {
    iunet: {
      version: 1
      runId: string
      model: ModelKind
      seed: number
      /** The k-fold test part the model was scored on; absent for a single split. */
      fold?: number
      compression: number
      spec: ModelSpec
      classNames: string[]
      imageShape: [number, number, number] | null
      tensors?: Array<{ name: string; shape: number[] }>
    }
  }
}

export const modelFolderName = (model: ModelKind, seed: number, compression: number, fold?: number) =>
  `${model}__seed${seed}${fold === undefined ? '' : `__fold${fold}`}__r${compression}`

/** Writes `files` into `dir` as a whole: a temp folder beside it, renamed into place (a crash leaves no half folder). */
function writeFolderAtomically(dir: string, files: Record<string, Uint8Array | string>): void {
  const tmp = `${dir}.tmp-${randomBytes(4).toString('hex')}`
  mkdirSync(tmp, { recursive: true })
  try {
    for (const [name, data] of Object.entries(files)) writeFileSync(join(tmp, name), data)
    rmSync(dir, { recursive: true, force: true })
    renameSync(tmp, dir)
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true })
    throw e
  }
}

function packWeights(tensors: readonly TrainedTensor[]): { bin: Uint8Array; weights: WeightEntry[] } {
  const total = tensors.reduce((a, t) => a + t.values.length, 0)
  const all = new Float32Array(total)
  let o = 0
  for (const t of tensors) {
    all.set(t.values, o)
    o += t.values.length
  }
  return { bin: new Uint8Array(all.buffer), weights: tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: 'float32' })) }
}

function unpackWeights(bin: Buffer, weights: readonly WeightEntry[]): TrainedTensor[] {
  // Copy to an aligned buffer: a Buffer's byteOffset need not be a multiple of 4.
  const all = new Float32Array(new Uint8Array(bin).buffer)
  let o = 0
  return weights.map((w) => {
    const n = w.shape.reduce((a, b) => a * b, 1)
    if (w.dtype !== 'float32' || o + n > all.length) throw new ApiError('invalid-data', `${WEIGHTS} does not match ${MANIFEST} (at ${w.name}).`)
    const values = all.slice(o, o + n)
    o += n
    return { name: w.name, shape: w.shape, values }
  })
}

function readJson<T>(path: string, what: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new ApiError('invalid-data', code === 'ENOENT' ? `${what} is missing: ${path}` : `${what} (${path}) is not valid JSON.`)
  }
}

interface LoadedModel {
  trained: Pick<TrainedModel, 'spec' | 'tensors'>
  meta: Manifest['userDefinedMetadata']['iunet']
  pre: SerializedPreprocessor
}

/** Reads a stored model folder or an export bundle (both hold model.json, weights.bin, preprocessing.json). */
export function loadModelFolder(dir: string): LoadedModel {
  const manifest = readJson<Manifest>(join(dir, MANIFEST), 'The model manifest')
  const meta = manifest.userDefinedMetadata?.iunet
  const group = manifest.weightsManifest?.[0]
  const layers = manifest.format === 'layers-model'
  if ((manifest.format !== 'iunet-weights' && !layers) || !meta || !group || (layers && meta.tensors?.length !== group.weights.length)) {
    throw new ApiError('invalid-data', `${join(dir, MANIFEST)} is not an IUNet model manifest.`)
  }
  let bin: Buffer
  try {
    bin = readFileSync(join(dir, group.paths[0] ?? WEIGHTS))
  } catch {
    throw new ApiError('invalid-data', `The weights file of ${dir} is missing.`)
  }
  const pre = readJson<SerializedPreprocessor>(join(dir, PREPROCESSING), 'The preprocessing file')
  const tensors = unpackWeights(bin, group.weights)
  // A bundle's weights carry tfjs layer names and shapes: back to the engine's (same values, same order).
  if (layers) tensors.forEach((t, i) => Object.assign(t, meta.tensors![i]))
  return { trained: { spec: meta.spec, tensors }, meta, pre }
}

function manifestOf(runId: string, t: TrainedModel, fold: number | undefined, data: DataInfo, weights: WeightEntry[], version: string): Manifest {
  return {
    format: 'iunet-weights',
    generatedBy: `iunet-workbench ${version}`,
    weightsManifest: [{ paths: [WEIGHTS], weights }],
    userDefinedMetadata: {
      iunet: {
        version: 1,
        runId,
        model: t.model,
        seed: t.seed,
        ...(fold === undefined ? {} : { fold }),
        compression: t.compression,
        spec: t.spec,
        classNames: data.classNames,
        imageShape: data.imageShape
      }
    }
  }
}

/** preprocessing.json: the fitted preprocessor as the app uses it, with the input order spelled out for other tools. */
function preprocessingJson(pre: SerializedPreprocessor): string {
  const columns = pre.image ? (pre.image.columns ?? []) : pre.steps.map((s) => s.name)
  const doc = {
    ...pre,
    inputColumns: columns,
    imageShape: pre.image?.shape ?? null,
    classLabels: pre.classNames,
    rules: [
      "Features are encoded in the order of `steps` (tabular) or `image.columns` (images, H×W×C row-major); featureGroups gives each step's [offset, width].",
      'numeric: missing → median; value → (value − mean) / std; with `indicator`, a 0/1 "was missing" column follows.',
      'categorical: missing → mode; one-hot over `levels`; when `other` is true one more column follows and any value not in `levels` sets it; when `other` is false an unseen value is an error.',
      'boolean: 1 when the value equals `positive`, else 0 (missing → mode).',
      'image: unit mode → pixel / scale; standardize mode → (pixel − mean[c]) / std[c].',
      'The model outputs probabilities over `classLabels`, in that order.'
    ]
  }
  return JSON.stringify(doc, null, 2)
}

const fmtPct = (m: { mean: number; std: number }) => `${(100 * m.mean).toFixed(1)} ± ${(100 * m.std).toFixed(1)} %`
function meanStd(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0
  return { mean, std }
}

export function modelServices(ctx: { dataDir: string; store: Store; version: () => string; fileAccess?: FileAccess }) {
  const { dataDir, store } = ctx
  const modelsDir = (runId: string) => join(dataDir, 'runs', runId, 'models')
  let backendReady: Promise<unknown> | null = null

  function card(meta: LoadedModel['meta'], pre: SerializedPreprocessor, results: ModelResult[]): string {
    const run = store.runs.get(meta.runId)
    const dataset = run ? store.datasets.get(run.datasetId) : null
    const rows = results.filter((r) => r.model === meta.model && r.compression === meta.compression)
    const own = rows.find((r) => r.seed === meta.seed)
    const agg = (k: 'accuracy' | 'balancedAccuracy' | 'macroF1') => meanStd(rows.map((r) => r[k]))
    const cfg = run?.config
    const lines = [
      `# ${MODEL_LABELS[meta.model]} — seed ${meta.seed}, compression ${meta.compression}×`,
      '',
      `- Run: ${run?.name ?? meta.runId} (\`${meta.runId}\`)`,
      `- Dataset: ${dataset?.name ?? 'deleted'} (${pre.kind}, target \`${pre.target}\`, ${pre.classNames.length} classes: ${pre.classNames.join(', ')})`,
      `- Architecture: ${JSON.stringify(meta.spec)}`,
      `- Input: ${inputWidth({ spec: meta.spec })} features per row (see preprocessing.json)${meta.imageShape ? `, image ${meta.imageShape.join('×')}` : ''}`,
      '',
      '## Settings',
      '',
      cfg
        ? `preset ${cfg.preset}; ${cfg.seeds} seed(s); epochs ${cfg.epochs} + finetune ${cfg.finetuneEpochs}; batch ${cfg.batchSize}; learning rate ${cfg.learningRate}; weight decay ${cfg.weightDecay}; κ ${cfg.kappa}; λ ${cfg.lambda}; τ ${cfg.tau}; split ${JSON.stringify(cfg.split)}`
        : 'the run is no longer stored',
      '',
      '## Test metrics',
      '',
      '| metric | this seed | mean ± std over seeds |',
      '|---|---|---|',
      ...(['accuracy', 'balancedAccuracy', 'macroF1'] as const).map(
        (k) => `| ${k} | ${own ? `${(100 * own[k]).toFixed(1)} %` : '—'} | ${rows.length ? `${fmtPct(agg(k))} (n = ${rows.length})` : '—'} |`
      ),
      '',
      '## Sparsity',
      '',
      own
        ? `${own.nonzeroParams} of ${own.params} parameters are non-zero (${((100 * own.nonzeroParams) / Math.max(1, own.params)).toFixed(1)} %); ${own.flopsSparse.toFixed(0)} of ${own.flopsDense.toFixed(0)} FLOPs per example.`
        : 'not recorded',
      '',
      '## Files',
      '',
      `- \`model.onnx\`: ONNX opset ${ONNX_OPSET}; input \`input\` [batch, features] float32 (preprocessed), outputs \`logits\` and \`probabilities\`. Masks are baked in (pruned weights are 0); batch norm is folded where possible.`,
      "- `model.json` + `weights.bin`: a TensorFlow.js layers model: `tf.loadLayersModel('file://…/model.json')` (tfjs-node) or over HTTP; input [batch, features] (preprocessed), output the class probabilities. Batch norm stays a BatchNormalization layer; masks are baked in.",
      '- `preprocessing.json`: the preprocessing fitted on this seed\'s training rows (column order, imputation, one-hot levels and the "other" rule, scaling, image shape, class labels).',
      '',
      'Predict with: `iunet predict --model <this folder> --data new.csv --out predictions.csv`'
    ]
    return lines.join('\n') + '\n'
  }

  function resolveStored(runId: string, model: ModelKind, seed: number | undefined, ratio: number | undefined, fold: number | undefined): string {
    const run = store.runs.get(runId) ?? store.runs.list().find((r) => r.id.startsWith(runId))
    if (!run) throw new ApiError('not-found', `No run with id ${runId}.`)
    const dir = modelsDir(run.id)
    const stored = existsSync(dir) ? readdirSync(dir).filter((n) => !n.includes('.tmp-')) : []
    const parsed = stored
      .map((n) => /^(.+)__seed(\d+)(?:__fold(\d+))?__r([\d.e+-]+)$/.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ name: m[0], model: m[1], seed: Number(m[2]), fold: m[3] === undefined ? undefined : Number(m[3]), ratio: Number(m[4]) }))
    const folds = [...new Set(parsed.filter((p) => p.model === model && p.fold !== undefined).map((p) => p.fold!))].sort((a, b) => a - b)
    if (fold !== undefined && !folds.includes(fold))
      throw new ApiError(
        'not-found',
        `${model} has no stored fold ${fold}${folds.length ? `; stored folds: ${folds.join(', ')}` : ' (this run did not use k-fold)'}.`
      )
    // Under k-fold: the asked fold, else the first.
    const f = fold ?? folds[0]
    const mine = parsed.filter((p) => p.model === model && p.fold === f)
    if (!mine.length)
      throw new ApiError(
        'not-found',
        `Run ${run.id.slice(0, 8)} has no stored weights for ${model}${stored.length ? ` (stored: ${[...new Set(parsed.map((p) => p.model))].join(', ')})` : ' (runs trained before weights were kept have none)'}.`
      )
    const s = seed ?? Math.min(...mine.map((p) => p.seed))
    const ofSeed = mine.filter((p) => p.seed === s)
    if (!ofSeed.length) throw new ApiError('not-found', `${model} has no stored seed ${s}; stored seeds: ${[...new Set(mine.map((p) => p.seed))].join(', ')}.`)
    const r = ratio ?? Math.max(...ofSeed.map((p) => p.ratio))
    const hit = ofSeed.find((p) => p.ratio === r)
    if (!hit) throw new ApiError('not-found', `${model} seed ${s} has no ratio ${r}; stored ratios: ${ofSeed.map((p) => p.ratio).join(', ')}.`)
    return join(dir, hit.name)
  }

  /** An export bundle's files, and its name (<run>/<model>__seed<s>[__fold<f>]__r<r>), from a stored model. */
  function bundle(req: { runId: string; model: ModelKind; seed?: number; fold?: number; ratio?: number }): {
    name: string
    files: Record<string, Uint8Array | string>
  } {
    const src = resolveStored(req.runId, req.model, req.seed, req.ratio, req.fold)
    const { trained, meta, pre } = loadModelFolder(src)
    const onnx = exportOnnx(trained, {
      producerVersion: ctx.version(),
      metadata: {
        classLabels: JSON.stringify(pre.classNames),
        runId: meta.runId,
        model: meta.model,
        seed: String(meta.seed),
        compression: String(meta.compression)
      }
    })
    const tfjs = exportTfjsLayers(trained)
    const layersManifest: Manifest = {
      format: 'layers-model',
      generatedBy: `iunet-workbench ${ctx.version()}`,
      modelTopology: tfjs.modelTopology,
      weightsManifest: [{ paths: [WEIGHTS], weights: tfjs.weightSpecs }],
      userDefinedMetadata: { iunet: { ...meta, tensors: tfjs.appTensors } }
    }
    const files = {
      'model.onnx': onnx,
      [MANIFEST]: JSON.stringify({ ...layersManifest, convertedBy: null }, null, 2),
      [WEIGHTS]: tfjs.weightData,
      [PREPROCESSING]: preprocessingJson(pre),
      'card.md': card(meta, pre, store.results.results(meta.runId))
    }
    return { name: join(meta.runId, modelFolderName(meta.model, meta.seed, meta.compression, meta.fold)), files }
  }

  return {
    /** Start-up: removes the temp folders a crash left in the model stores of runs no live process owns. */
    sweep(): { removed: number } {
      const root = join(dataDir, 'runs')
      if (!existsSync(root)) return { removed: 0 }
      let removed = 0
      for (const id of readdirSync(root)) {
        const status = store.runs.get(id)?.status
        const dir = modelsDir(id)
        if (status === 'running' || status === 'queued' || !existsSync(dir)) continue
        for (const name of readdirSync(dir)) {
          if (!name.includes('.tmp-')) continue
          rmSync(join(dir, name), { recursive: true, force: true })
          removed++
        }
      }
      return { removed }
    },

    /** Keeps every trained model of one finished task (called as the task's result arrives). */
    save(runId: string, res: { result: EngineJobResult; data: DataInfo; preprocessor?: SerializedPreprocessor }, fold?: number): void {
      if (!res.preprocessor) return
      for (const t of res.result.models ?? []) {
        const { bin, weights } = packWeights(t.tensors)
        writeFolderAtomically(join(modelsDir(runId), modelFolderName(t.model, t.seed, t.compression, fold)), {
          [WEIGHTS]: bin,
          [MANIFEST]: JSON.stringify(manifestOf(runId, t, fold, res.data, weights, ctx.version()), null, 2),
          [PREPROCESSING]: JSON.stringify(res.preprocessor)
        })
      }
    },

    /** Writes a bundle; `out` defaults to <dataDir>/exports/<run>/<model>__seed<s>__r<r>. */
    export(req: { runId: string; model: ModelKind; seed?: number; fold?: number; ratio?: number; out?: string }): { dir: string; files: string[] } {
      // A server's callers are remote: bundles go under the data folder only.
      if (req.out !== undefined && ctx.fileAccess && ctx.fileAccess !== 'any') {
        throw new ApiError(
          'invalid-request',
          'This server writes export bundles only under its data folder: leave out "out"; the answer says where the bundle went.'
        )
      }
      const { name, files } = bundle(req)
      const dir = resolve(req.out ?? join(dataDir, 'exports', name))
      if (existsSync(dir) && readdirSync(dir).length && !existsSync(join(dir, MANIFEST))) {
        throw new ApiError('conflict', `${dir} exists and is not an IUNet model bundle: choose an empty or new folder.`)
      }
      writeFolderAtomically(dir, files)
      return { dir, files: Object.keys(files) }
    },

    /**
     * The same bundle as one zip in the answer, for a caller that cannot reach this machine's disk (a browser on a
     * lab server through a tunnel); nothing is written.
     */
    download(req: { runId: string; model: ModelKind; seed?: number; fold?: number; ratio?: number }): { name: string; zip: string; bytes: number } {
      const { name, files } = bundle(req)
      const folder = basename(name)
      const entries = Object.fromEntries(Object.entries(files).map(([f, data]) => [`${folder}/${f}`, typeof data === 'string' ? strToU8(data) : data]))
      // Fixed entry times: the same model always gives the same zip.
      const zip = zipSync(entries, { level: 6, mtime: new Date('2000-01-02T00:00:00Z') })
      return { name: `${folder}.zip`, zip: Buffer.from(zip).toString('base64'), bytes: zip.byteLength }
    },

    /** Applies a bundle's (or stored model's) preprocessing to a CSV's rows and predicts with the app's engine. */
    async predict(req: { model: string; data: string; out?: string }) {
      const access = ctx.fileAccess ?? 'any'
      if (req.out !== undefined && access !== 'any' && !resolve(req.out).startsWith(resolve(dataDir) + sep)) {
        throw new ApiError('invalid-request', `This server writes predictions only under its data folder (${dataDir}).`)
      }
      const modelDir = await checkFileAccess(resolve(req.model), access, [dataDir])
      const dataPath = await checkFileAccess(resolve(req.data), access, [dataDir])
      const { trained, pre } = loadModelFolder(modelDir)
      const { columns, records } = await readCsvRecords(dataPath)
      const { x, check } = encodeRecords(pre, columns, records)
      backendReady ??= initBackend('cpu')
      await backendReady
      const n = records.length
      const k = pre.classNames.length
      const probs = n ? predictProbabilities(trained, x, n) : new Float32Array(0)
      const predictions = Array.from({ length: n }, (_, i) => {
        const p = Array.from(probs.subarray(i * k, (i + 1) * k))
        const best = p.reduce((b, v, j) => (v > p[b] ? j : b), 0)
        return { predicted: pre.classNames[best], probabilities: p }
      })
      let out: string | null = null
      if (req.out) {
        out = resolve(req.out)
        const esc = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)
        const header = ['predicted', ...pre.classNames.map((c) => `p_${c}`)].map(esc).join(',')
        const body = predictions.map((p) => [esc(p.predicted), ...p.probabilities.map((v) => String(v))].join(','))
        const tmp = `${out}.tmp-${randomBytes(4).toString('hex')}`
        writeFileSync(tmp, [header, ...body].join('\n') + '\n')
        renameSync(tmp, out)
      }
      return { rows: n, classNames: pre.classNames, out, predictions, pooledIntoOther: check.pooledIntoOther }
    }
  }
}
export type ModelServices = ReturnType<typeof modelServices>
