/**
 * What data hands the engine: a dataset after split and preprocessing (fitted on the train split only), as
 * plain typed arrays. Not on the wire; shared here so data and engine need not import each other.
 */

export interface SplitArrays {
  /** n × nFeatures, row-major (images: each row is H×W×C row-major, values standardized/scaled). */
  x: Float32Array
  /** Class indices 0..nClasses-1. */
  y: Int32Array
  n: number
}

/** A dataset after split + preprocessing (fitted on train only), ready to train on. */
export interface PreparedData {
  kind: 'tabular' | 'image'
  nFeatures: number
  nClasses: number
  classNames: string[]
  imageShape: [number, number, number] | null
  /** One entry per original feature: [offset, length] in the encoded vector; a one-hot block counts as one. */
  featureGroups: Array<[number, number]>
  /** Tabular: each original feature's column name, in featureGroups order (absent for images). */
  featureNames?: string[]
  /** 1 where the encoded column is a standardized numeric feature (Gaussian noise applies there). */
  numericMask: Uint8Array
  train: SplitArrays
  val: SplitArrays
  test: SplitArrays
}
