/**
 * Vision facts the presets, the data layer and the UI share: which images are the paper's small natural images
 * (CIFAR-10/100, SVHN: 32×32×3) and how image pixels are normalised before training.
 */
import type { ChannelStats, DataFormat, ImageShape } from './datasets.ts'

/** 32×32 colour images: the shape of CIFAR-10/100 and SVHN, which the vision presets recognise. */
export function isSmallNaturalImage(shape: ImageShape | null | undefined): boolean {
  return !!shape && shape[0] === 32 && shape[1] === 32 && shape[2] === 3
}

/** Formats whose images are digits or text: a left-right flip changes their class (a mirrored 2 is no 2). */
const NO_FLIP_FORMATS: readonly DataFormat[] = ['svhn', 'idx']

/** Whether a horizontal flip keeps the class: natural colour images yes (CIFAR), digits no (SVHN, MNIST). */
export function flipKeepsClass(shape: ImageShape | null | undefined, format: DataFormat | undefined): boolean {
  return isSmallNaturalImage(shape) && !(format && NO_FLIP_FORMATS.includes(format))
}

export type ImageNormalize = 'unit' | 'standardize'

/**
 * Colour images are standardised per channel with the training rows' mean and std (the usual CIFAR/SVHN input);
 * grey images are scaled to 0..1 (pixel / 255, the MNIST convention this app always used).
 */
export function imageNormalizeFor(shape: ImageShape | null | undefined): ImageNormalize {
  return shape && shape[2] === 3 ? 'standardize' : 'unit'
}

export interface ImageNormalization {
  mode: ImageNormalize
  /** Per-channel mean and std on the 0..1 scale the UI shows (standardize: fitted again on each run's train rows). */
  stats: ChannelStats | null
  /** One line for the dataset page and the preset summary. */
  text: string
}

const CHANNELS = ['R', 'G', 'B']

/** What a run does to this dataset's pixels, with the numbers (from the stored schema) to show. */
export function imageNormalization(schema: { imageShape: ImageShape | null; imageStats?: ChannelStats }): ImageNormalization | null {
  if (!schema.imageShape) return null
  const mode = imageNormalizeFor(schema.imageShape)
  const stats = schema.imageStats ?? null
  if (mode === 'unit') return { mode, stats, text: 'pixels scaled to 0..1 (÷ 255)' }
  const f = (x: number) => x.toFixed(3)
  const per = stats
    ? ` (mean ${stats.mean.map((m, i) => `${CHANNELS[i] ?? i} ${f(m)}`).join(', ')}; std ${stats.std.map((s, i) => `${CHANNELS[i] ?? i} ${f(s)}`).join(', ')} on the 0..1 scale)`
    : ''
  return { mode, stats, text: `per-channel standardisation with the training rows' mean and std${per}` }
}
