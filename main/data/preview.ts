/**
 * What the Datasets view shows before a run: first rows as text, class balance, histograms of numeric
 * features and, for image data, a few samples scaled to 0..1.
 */
import type { DatasetPreview, DatasetSchema } from '../contract/index.ts'
import { pixelColumns } from './preprocess.ts'
import { cellNumber, cellText, getColumn, type Column, type Table } from './table.ts'

const BINS = 20
const MAX_HISTOGRAMS = 40
const MAX_IMAGES = 16

export function previewOf(table: Table, schema: DatasetSchema, rows: number): DatasetPreview {
  const n = Math.max(0, Math.min(rows, table.rows))
  const cols = table.columns
  const preview: DatasetPreview = {
    columns: cols.map((c) => c.name),
    rows: Array.from({ length: n }, (_, r) => cols.map((c) => cellText(c, r))),
    classBalance: schema.classes,
    histograms: [],
    images: []
  }
  if (schema.kind !== 'image') {
    for (const c of schema.columns) {
      if (c.type !== 'numeric' || c.role === 'ignore' || c.min === null || c.max === null) continue
      const col = getColumn(table, c.name)
      if (!col) continue
      preview.histograms.push({ column: c.name, bins: histogram(col, c.min, c.max, table.rows) })
      if (preview.histograms.length >= MAX_HISTOGRAMS) break
    }
  } else if (schema.imageShape) {
    preview.images = sampleImages(table, schema, Math.min(n || MAX_IMAGES, MAX_IMAGES))
  }
  return preview
}

function histogram(col: Column, min: number, max: number, rows: number): Array<{ x0: number; x1: number; count: number }> {
  const bins = min === max ? 1 : BINS
  const width = (max - min) / bins || 1
  const counts = new Array<number>(bins).fill(0)
  for (let r = 0; r < rows; r++) {
    const v = cellNumber(col, r)
    if (Number.isNaN(v)) continue
    counts[Math.min(bins - 1, Math.floor((v - min) / width))]++
  }
  return counts.map((count, i) => ({ x0: min + i * width, x1: i === bins - 1 ? max : min + (i + 1) * width, count }))
}

function sampleImages(table: Table, schema: DatasetSchema, k: number): DatasetPreview['images'] {
  const [h, w, c] = schema.imageShape!
  const px = h * w * c
  const target = getColumn(table, schema.target)
  const out: DatasetPreview['images'] = []
  if (table.image) {
    for (let r = 0; r < Math.min(k, table.rows); r++) {
      const pixels = Array.from(table.image.pixels.subarray(r * px, (r + 1) * px), (v) => v / 255)
      out.push({ label: target ? (cellText(target, r) ?? '') : '', pixels })
    }
    return out
  }
  const cols = pixelColumns(schema).map((n) => getColumn(table, n)!)
  const max = Math.max(1, ...schema.columns.filter((s) => s.name !== schema.target).map((s) => s.max ?? 0))
  for (let r = 0; r < Math.min(k, table.rows); r++) {
    const pixels = cols.map((col) => {
      const v = cellNumber(col, r)
      return Number.isNaN(v) ? 0 : Math.min(1, Math.max(0, v / max))
    })
    out.push({ label: target ? (cellText(target, r) ?? '') : '', pixels })
  }
  return out
}
