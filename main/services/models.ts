/**
 * Trained models: every trained (model, seed[, fold], ratio) of a run keeps its final (evaluated) weights in the
 * run's model store (layout.ts), written as a whole; export bundles and predictions are made from them.
 *   modelBundle.ts   the folder format (weights, manifest, preprocessing) and the bundle's files
 *   modelCard.ts     card.md
 *   modelPredict.ts  predictions with a bundle
 */
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { basename, join, resolve, sep } from 'node:path'
import { strToU8, zipSync } from 'fflate'
import { ApiError, type ModelKind } from '../contract/index.ts'
import type { SerializedPreprocessor } from '../data/preprocess.ts'
import type { EngineJobResult } from '../engine/types.ts'
import { isTempName, writeFolderAtomic } from '../lib/atomic.ts'
import type { Store } from '../store/index.ts'
import type { DataInfo } from '../workers/protocol.ts'
import { checkFileAccess, type FileAccess } from './datasets.ts'
import { dataLayout, modelFolderName, parseModelFolderName, type DataLayout } from './layout.ts'
import { MANIFEST, PREPROCESSING, WEIGHTS, bundleFiles, loadModelFolder, manifestOf, packWeights } from './modelBundle.ts'
import { modelCard } from './modelCard.ts'
import { predictCsv, writePredictions } from './modelPredict.ts'

export { modelFolderName } from './layout.ts'
export { loadModelFolder } from './modelBundle.ts'

interface BundleRequest {
  runId: string
  model: ModelKind
  seed?: number
  fold?: number
  ratio?: number
}

export function modelServices(ctx: { dataDir: string; store: Store; version: () => string; fileAccess?: FileAccess; layout?: DataLayout }) {
  const { dataDir, store } = ctx
  const layout = ctx.layout ?? dataLayout(dataDir)

  /** The stored model folder a request names: the asked fold (else the first), seed (else the lowest), ratio (else the highest). */
  function resolveStored({ runId, model, seed, ratio, fold }: BundleRequest): string {
    const run = store.runs.get(runId) ?? store.runs.list().find((r) => r.id.startsWith(runId))
    if (!run) throw new ApiError('not-found', `No run with id ${runId}.`)
    const dir = layout.models(run.id)
    const stored = existsSync(dir) ? readdirSync(dir).filter((n) => !isTempName(n)) : []
    const parsed = stored.map((name) => ({ name, p: parseModelFolderName(name) })).flatMap(({ name, p }) => (p ? [{ name, ...p }] : []))
    const folds = [...new Set(parsed.filter((p) => p.model === model && p.fold !== undefined).map((p) => p.fold!))].sort((a, b) => a - b)
    // People count folds from 1 (foldLabel), the wire from 0: the message gives both.
    if (fold !== undefined && !folds.includes(fold))
      throw new ApiError(
        'not-found',
        `${model} has no stored fold ${fold + 1} (fold index ${fold})${folds.length ? `; stored: folds ${folds.map((f) => f + 1).join(', ')}` : ': this run did not use k-fold'}.`
      )
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

  /** An export bundle's files, and its name (<run>/<model folder>), from a stored model. */
  function bundle(req: BundleRequest): { runId: string; folder: string; files: Record<string, Uint8Array | string> } {
    const loaded = loadModelFolder(resolveStored(req))
    const { meta, pre } = loaded
    const run = store.runs.get(meta.runId)
    const card = modelCard({
      meta,
      pre,
      results: store.results.results(meta.runId),
      runName: run?.name ?? null,
      datasetName: (run && store.datasets.get(run.datasetId)?.name) ?? null,
      config: run?.config ?? null
    })
    return { runId: meta.runId, folder: modelFolderName(meta.model, meta.seed, meta.compression, meta.fold), files: bundleFiles(loaded, ctx.version(), card) }
  }

  return {
    /** Start-up: removes the temp folders a crash left in the model stores of runs no live process owns. */
    sweep(): { removed: number } {
      if (!existsSync(layout.runs)) return { removed: 0 }
      let removed = 0
      for (const id of readdirSync(layout.runs)) {
        const status = store.runs.get(id)?.status
        const dir = layout.models(id)
        if (status === 'running' || status === 'queued' || !existsSync(dir)) continue
        for (const name of readdirSync(dir)) {
          if (!isTempName(name)) continue
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
        writeFolderAtomic(layout.model(runId, modelFolderName(t.model, t.seed, t.compression, fold)), {
          [WEIGHTS]: bin,
          [MANIFEST]: JSON.stringify(manifestOf(runId, t, fold, res.data, weights, ctx.version()), null, 2),
          [PREPROCESSING]: JSON.stringify(res.preprocessor)
        })
      }
    },

    /** Writes a bundle; `out` defaults to <dataDir>/exports/<run>/<model folder>. */
    export(req: BundleRequest & { out?: string }): { dir: string; files: string[] } {
      // A server's callers are remote: bundles go under the data folder only.
      if (req.out !== undefined && ctx.fileAccess && ctx.fileAccess !== 'any') {
        throw new ApiError(
          'invalid-request',
          'This server writes export bundles only under its data folder: leave out "out"; the answer says where the bundle went.'
        )
      }
      const { runId, folder, files } = bundle(req)
      const dir = resolve(req.out ?? layout.exportBundle(runId, folder))
      if (existsSync(dir) && readdirSync(dir).length && !existsSync(join(dir, MANIFEST))) {
        throw new ApiError('conflict', `${dir} exists and is not an IUNet model bundle: choose an empty or new folder.`)
      }
      writeFolderAtomic(dir, files)
      return { dir, files: Object.keys(files) }
    },

    /**
     * The same bundle as one zip in the answer, for a caller that cannot reach this machine's disk (a browser on a
     * lab server through a tunnel); nothing is written.
     */
    download(req: BundleRequest): { name: string; zip: string; bytes: number } {
      const { folder, files } = bundle(req)
      const entries = Object.fromEntries(Object.entries(files).map(([f, data]) => [`${folder}/${f}`, typeof data === 'string' ? strToU8(data) : data]))
      // Fixed entry times: the same model always gives the same zip.
      const zip = zipSync(entries, { level: 6, mtime: new Date('2000-01-02T00:00:00Z') })
      return { name: `${basename(folder)}.zip`, zip: Buffer.from(zip).toString('base64'), bytes: zip.byteLength }
    },

    /** Applies a bundle's (or stored model's) preprocessing to a CSV's rows and predicts with the app's engine. */
    async predict(req: { model: string; data: string; out?: string }) {
      const access = ctx.fileAccess ?? 'any'
      if (req.out !== undefined && access !== 'any' && !resolve(req.out).startsWith(resolve(dataDir) + sep)) {
        throw new ApiError('invalid-request', `This server writes predictions only under its data folder (${dataDir}).`)
      }
      const modelDir = await checkFileAccess(resolve(req.model), access, [dataDir])
      const dataPath = await checkFileAccess(resolve(req.data), access, [dataDir])
      const { classNames, predictions, pooledIntoOther } = await predictCsv(modelDir, dataPath)
      const out = req.out ? resolve(req.out) : null
      if (out) writePredictions(out, classNames, predictions)
      return { rows: predictions.length, classNames, out, predictions, pooledIntoOther }
    }
  }
}
export type ModelServices = ReturnType<typeof modelServices>
