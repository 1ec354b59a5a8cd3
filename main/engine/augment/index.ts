/**
 * Turns RunConfig.augment + the prepared data into the two transformation families of shared/iunet-method.md:
 * the ILO transformation t (the invariances to unveil; two views per input for L_NCE, also the t of the
 * invariance score) and the standard augmentation used with L_SUP for every model.
 */
import type { AugmentConfig } from '../../contract/index.ts'
import type { PreparedData } from '../../contract/index.ts'
import { colorJitter, horizontalFlip, randomGrayscale, randomResizedCrop, translate } from './image.ts'
import { gaussianNoise, scarf } from './tabular.ts'
import { compose, type Augment } from './types.ts'

export { compose, type Augment } from './types.ts'
export * from './image.ts'
export * from './tabular.ts'

export interface Augmentations {
  /** The ILO transformation. */
  ilo: Augment
  /** The standard augmentation for L_SUP, or null when there is none (tabular data). */
  standard: Augment | null
  /** The batch shape for n rows: [n, H, W, C] or [n, nFeatures]. */
  shape(n: number): number[]
  /** Human-readable list of the ILO transformations, for logs and the UI. */
  describe: string
}

export function buildAugmentations(cfg: AugmentConfig, data: PreparedData): Augmentations {
  if (data.kind === 'image') {
    if (!data.imageShape) throw new Error('image data without imageShape')
    const [h, w, c] = data.imageShape
    const ilo: Augment[] = []
    const names: string[] = []
    const add = (f: Augment, name: string) => {
      ilo.push(f)
      names.push(name)
    }
    if (cfg.cropScale < 1) add(randomResizedCrop(cfg.cropScale), `resized crop ≥${cfg.cropScale}`)
    if (cfg.translate > 0) add(translate(cfg.translate), `translate ±${cfg.translate}px`)
    if (cfg.flip) add(horizontalFlip(), 'h-flip')
    if (c === 3 && cfg.colorJitter > 0) add(colorJitter(cfg.colorJitter), `colour jitter ${cfg.colorJitter}`)
    if (c === 3 && cfg.grayscale > 0) add(randomGrayscale(cfg.grayscale), `grayscale p=${cfg.grayscale}`)
    // Standard augmentation (ShrinkBench): random crop with zero padding, plus flip where the domain allows it.
    const std: Augment[] = []
    if (cfg.translate > 0) std.push(translate(cfg.translate))
    if (cfg.flip) std.push(horizontalFlip())
    return {
      ilo: compose(...ilo),
      standard: std.length ? compose(...std) : null,
      shape: (n) => [n, h, w, c],
      describe: names.length ? names.join(', ') : 'identity'
    }
  }
  const f = data.nFeatures
  const ilo: Augment[] = []
  const names: string[] = []
  if (cfg.corruption > 0) {
    // Without feature groups every encoded column is its own feature.
    const groups = data.featureGroups.length ? data.featureGroups : Array.from({ length: f }, (_, j) => [j, 1] as [number, number])
    // Tabular splits are encoded rows (only image tables keep 8-bit pixels).
    if (!('x' in data.train)) throw new Error('SCARF needs the encoded training rows of a table')
    ilo.push(scarf({ rate: cfg.corruption, featureGroups: groups, pool: data.train.x, poolRows: data.train.n }))
    names.push(`SCARF ${cfg.corruption}`)
  }
  if (cfg.noise > 0 && data.numericMask.some((v) => v === 1)) {
    ilo.push(gaussianNoise(cfg.noise, data.numericMask))
    names.push(`noise σ=${cfg.noise}`)
  }
  return { ilo: compose(...ilo), standard: null, shape: (n) => [n, f], describe: names.length ? names.join(', ') : 'identity' }
}
