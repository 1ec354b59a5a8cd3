/** The models of a run: their results, per-epoch metrics and artifacts (first-layer weights and masks). */
import type { EpochMetrics, FirstLayerArtifact, ModelKind, ModelResult, Phase } from '../contract/index.ts'
import type { Db } from './db.ts'

interface MetricRow {
  kind: ModelKind
  seed: number
  fold: number
  compression: number
  phase: Phase
  epoch: number
  train_loss: number
  train_accuracy: number
  val_loss: number
  val_accuracy: number
  contrastive_loss: number | null
  seconds: number
}

export function resultsRepo(db: Db) {
  const ensureModel = db.prepare(
    `INSERT INTO models (run_id, kind, seed, fold, compression) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(run_id, kind, seed, fold, compression) DO UPDATE SET kind = excluded.kind RETURNING id`
  )
  /** The model row of (kind, seed, fold, compression); fold absent (not a k-fold run) is stored as −1. */
  const modelId = (runId: string, kind: ModelKind, seed: number, compression: number, fold?: number) =>
    (ensureModel.get(runId, kind, seed, fold ?? -1, compression) as { id: number }).id

  return {
    modelId,
    addEpoch(runId: string, m: EpochMetrics) {
      const id = modelId(runId, m.model, m.seed, m.compression, m.fold)
      db.prepare(
        `INSERT OR REPLACE INTO epoch_metrics (model_id, phase, epoch, train_loss, train_accuracy, val_loss, val_accuracy, contrastive_loss, seconds)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
      ).run(id, m.phase, m.epoch, m.trainLoss, m.trainAccuracy, m.valLoss, m.valAccuracy, m.contrastiveLoss, m.seconds)
    },
    saveResult(runId: string, r: ModelResult) {
      const id = modelId(runId, r.model, r.seed, r.compression, r.fold)
      db.prepare('UPDATE models SET result_json = ? WHERE id = ?').run(JSON.stringify(r), id)
    },
    saveFirstLayer(runId: string, a: FirstLayerArtifact) {
      db.transaction(() => {
        const id = modelId(runId, a.model, a.seed, a.compression, a.fold)
        db.prepare(`DELETE FROM artifacts WHERE model_id = ? AND kind = 'first-layer'`).run(id)
        const { weights, mask, ...meta } = a
        // Weights as float32 and the mask as bytes keep a 64×784 layer at ~250 kB instead of megabytes of JSON.
        const w = Buffer.from(new Float32Array(weights).buffer)
        const m = Buffer.from(Uint8Array.from(mask))
        const blob = Buffer.concat([w, m])
        db.prepare(`INSERT INTO artifacts (model_id, kind, meta_json, data) VALUES (?, 'first-layer', ?, ?)`).run(id, JSON.stringify(meta), blob)
      })()
    },
    firstLayers(runId: string): FirstLayerArtifact[] {
      const rows = db
        .prepare<[string], { meta_json: string; data: Buffer }>(
          `SELECT a.meta_json, a.data FROM artifacts a JOIN models m ON m.id = a.model_id
            WHERE m.run_id = ? AND a.kind = 'first-layer' ORDER BY m.kind, m.seed, m.fold, m.compression`
        )
        .all(runId)
      return rows.map((r) => {
        const meta = JSON.parse(r.meta_json) as Omit<FirstLayerArtifact, 'weights' | 'mask'>
        const n = meta.units * meta.inputs
        const bytes = new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength)
        const weights = Array.from(new Float32Array(bytes.slice(0, n * 4).buffer))
        const mask = Array.from(bytes.subarray(n * 4, n * 5))
        return { ...meta, weights, mask }
      })
    },
    results(runId: string): ModelResult[] {
      return db
        .prepare<[string], { result_json: string }>(
          'SELECT result_json FROM models WHERE run_id = ? AND result_json IS NOT NULL ORDER BY kind, compression, seed, fold'
        )
        .all(runId)
        .map((r) => JSON.parse(r.result_json) as ModelResult)
    },
    metrics(runId: string): EpochMetrics[] {
      return db
        .prepare<[string], MetricRow>(
          `SELECT m.kind, m.seed, m.fold, m.compression, e.* FROM epoch_metrics e JOIN models m ON m.id = e.model_id
            WHERE m.run_id = ? ORDER BY m.kind, m.seed, m.fold, m.compression, e.rowid`
        )
        .all(runId)
        .map((r) => ({
          model: r.kind,
          seed: r.seed,
          ...(r.fold >= 0 ? { fold: r.fold } : {}),
          compression: r.compression,
          phase: r.phase,
          epoch: r.epoch,
          trainLoss: r.train_loss,
          trainAccuracy: r.train_accuracy,
          valLoss: r.val_loss,
          valAccuracy: r.val_accuracy,
          contrastiveLoss: r.contrastive_loss,
          seconds: r.seconds
        }))
    }
  }
}
export type ResultsRepo = ReturnType<typeof resultsRepo>
