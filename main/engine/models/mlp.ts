/**
 * The IUNet supernetwork: `depth` masked dense ReLU layers of `width` units (the encoder, all prunable) and a dense
 * linear classifier (the head, never pruned). He-normal init from a seeded JS PRNG; κ scales the weights only.
 */
import { architecture, dense, type Architecture, type Layer } from './arch.ts'

export interface MlpSpec {
  inputs: number
  classes: number
  depth: number
  width: number
}

export function describeMlp(spec: MlpSpec): Architecture {
  const layers: Layer[] = []
  for (let i = 0, fanIn = spec.inputs; i < spec.depth; i++, fanIn = spec.width) layers.push(dense(`layer${i}`, fanIn, spec.width, true))
  return architecture('mlp', [spec.inputs], layers, spec.depth > 0 ? spec.width : spec.inputs, spec.classes)
}
