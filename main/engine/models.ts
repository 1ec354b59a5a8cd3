/**
 * Builds any of the engine's models from a spec: the architecture's description (models/arch.ts, one per
 * architecture, also read by the exporters) made trainable (models/build.ts). See models/types.ts for the Model.
 */
import { buildModel } from './models/build.ts'
import { describeModel } from './models/describe.ts'
import type { Model, ModelOptions, ModelSpec } from './models/types.ts'

export type { ForwardOutput, Model, ModelArch, ModelOptions, ModelSpec, Param, ParamGroup, ParamKind } from './models/types.ts'
export { describeModel } from './models/describe.ts'
export { tensorsOf, type Architecture, type Layer } from './models/arch.ts'

/** Same spec + seed + options → the same initial weights on every backend. */
export function createModel(spec: ModelSpec, seed: number, opts: ModelOptions = {}): Model {
  return buildModel(describeModel(spec), seed, opts)
}
