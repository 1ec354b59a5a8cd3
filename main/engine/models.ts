/**
 * Builds any of the engine's models from a spec; see models/types.ts for the Model interface.
 */
import { createMlp } from './models/mlp.ts'
import type { Model, ModelOptions, ModelSpec } from './models/types.ts'

export type { ForwardOutput, Model, ModelArch, ModelOptions, ModelSpec, Param, ParamGroup, ParamKind } from './models/types.ts'

/** Same spec + seed + options → the same initial weights on every backend. */
export function createModel(spec: ModelSpec, seed: number, opts: ModelOptions = {}): Model {
  switch (spec.kind) {
    case 'mlp':
      return createMlp(spec, seed, opts)
    default:
      throw new Error(`model kind ${spec.kind} is not available yet`)
  }
}
