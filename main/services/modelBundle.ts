/**
 * The model bundle format: what a trained model's folder holds (a run's model store and an export bundle alike).
 *   weights.bin         the float32 weights, in manifest order
 *   model.json          'iunet-weights' (a tfjs weights manifest in the app's tensor names) in the model store;
 *                       'layers-model' (a tfjs layers model) in a bundle, with `iunet.tensors` mapping its weights
 *                       back to the app's names
 *   preprocessing.json  the preprocessing fitted on the task's training rows, with the rules spelled out
 * An export bundle adds model.onnx and card.md (modelCard.ts). Folder names: layout.ts (modelFolderName).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ApiError, type ModelKind } from '../contract/index.ts'
import type { SerializedPreprocessor } from '../data/preprocess.ts'
import { exportOnnx } from '../engine/export/onnx.ts'
import { exportTfjsLayers } from '../engine/export/tfjs.ts'
import type { TrainedModel, TrainedTensor } from '../engine/export/trained.ts'
import type { ModelSpec } from '../engine/models/types.ts'
import type { DataInfo } from '../workers/protocol.ts'

export const WEIGHTS = 'weights.bin'
export const MANIFEST = 'model.json'
export const PREPROCESSING = 'preprocessing.json'

export interface WeightEntry {
  name: string
  shape: number[]
  dtype: 'float32'
}

/**
 * model.json of a stored model ('iunet-weights': a tfjs weights manifest in the app's tensor names) and of a bundle
 * ('layers-model': a tfjs layers model; `iunet.tensors` maps its weights, in manifest order, back to the app's names).
 */
export interface Manifest {
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

export function packWeights(tensors: readonly TrainedTensor[]): { bin: Uint8Array; weights: WeightEntry[] } {
  const total = tensors.reduce((a, t) => a + t.values.length, 0)
  const all = new Float32Array(total)
  let o = 0
  for (const t of tensors) {
    all.set(t.values, o)
    o += t.values.length
  }
  return { bin: new Uint8Array(all.buffer), weights: tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: 'float32' })) }
}

export function unpackWeights(bin: Buffer, weights: readonly WeightEntry[]): TrainedTensor[] {
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

export interface LoadedModel {
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

export function manifestOf(runId: string, t: TrainedModel, fold: number | undefined, data: DataInfo, weights: WeightEntry[], version: string): Manifest {
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
export function preprocessingJson(pre: SerializedPreprocessor): string {
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

/** The files of an export bundle of a loaded model: ONNX, the tfjs layers model, preprocessing and the card. */
export function bundleFiles(model: LoadedModel, version: string, card: string): Record<string, Uint8Array | string> {
  const { trained, meta, pre } = model
  const onnx = exportOnnx(trained, {
    producerVersion: version,
    metadata: {
      classLabels: JSON.stringify(pre.classNames),
      runId: meta.runId,
      model: meta.model,
      seed: String(meta.seed),
      ...(meta.fold === undefined ? {} : { fold: String(meta.fold) }),
      compression: String(meta.compression)
    }
  })
  const tfjs = exportTfjsLayers(trained)
  const layersManifest: Manifest = {
    format: 'layers-model',
    generatedBy: `iunet-workbench ${version}`,
    modelTopology: tfjs.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS], weights: tfjs.weightSpecs }],
    userDefinedMetadata: { iunet: { ...meta, tensors: tfjs.appTensors } }
  }
  return {
    'model.onnx': onnx,
    [MANIFEST]: JSON.stringify({ ...layersManifest, convertedBy: null }, null, 2),
    [WEIGHTS]: tfjs.weightData,
    [PREPROCESSING]: preprocessingJson(pre),
    'card.md': card
  }
}
