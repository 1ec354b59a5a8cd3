/**
 * Builds any of the engine's models from a spec; see models/types.ts for the Model interface.
 */
import { createCnn } from './models/cnn.ts'
import { createMlp } from './models/mlp.ts'
import { createResNet } from './models/resnet.ts'
import { createTabResNet } from './models/tabresnet.ts'
import type { Model, ModelOptions, ModelSpec } from './models/types.ts'

export type { ForwardOutput, Model, ModelArch, ModelOptions, ModelSpec, Param, ParamGroup, ParamKind } from './models/types.ts'

/** Same spec + seed + options → the same initial weights on every backend. */
export function createModel(spec: ModelSpec, seed: number, opts: ModelOptions = {}): Model {
  switch (spec.kind) {
    case 'mlp':
      return createMlp(spec, seed, opts)
    case 'cnn':
      return createCnn(spec, seed, opts)
    case 'resnet':
      return createResNet(spec, seed, opts)
    case 'tabresnet':
      return createTabResNet(spec, seed, opts)
  }
}
