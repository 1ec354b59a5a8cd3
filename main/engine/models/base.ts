/**
 * What every architecture shares: the parameter list, masks, weight copies in and out, FLOP sums, disposal.
 */
import * as tf from '@tensorflow/tfjs-core'
import type { Param, ParamGroup, ParamKind } from './types.ts'

let nextModelId = 0

/** tfjs variable names are process-global; each model instance gets its own prefix. */
export function uniquePrefix(kind: string): string {
  return `${kind}#${nextModelId++}`
}

/** A prunable weight's holder: its mask lives in the layer, the Param mirrors it. */
export interface MaskedWeight {
  w: tf.Variable
  mask: tf.Tensor | null
  setMask(values: Float32Array): void
  nonzero(): number
}

/** One FLOP term: a weight used `uses` times per example (1 for dense layers, H_out·W_out for convolutions). */
interface FlopTerm {
  layer: MaskedWeight
  uses: number
}

export class ParamSet {
  readonly params: Param[] = []
  /** Non-trainable state saved with the weights (batch-norm running statistics). */
  readonly buffers = new Map<string, tf.Variable>()
  private readonly normBuffers = new Map<string, tf.Variable>()
  private readonly owners = new Map<string, MaskedWeight>()
  private readonly flopTerms: FlopTerm[] = []
  private readonly disposers: Array<() => void> = []

  add(name: string, variable: tf.Variable, group: ParamGroup, kind: ParamKind): void {
    if (this.params.some((p) => p.name === name)) throw new Error(`duplicate parameter ${name}`)
    this.params.push({ name, variable, mask: null, group, kind })
  }

  /** Registers a layer's weight (maybe prunable) and bias, and its FLOP contribution. */
  addLayer(name: string, layer: MaskedWeight & { b: tf.Variable | null; dispose(): void }, group: ParamGroup, uses: number): void {
    this.add(`${name}/w`, layer.w, group, 'weight')
    const p = this.params[this.params.length - 1]
    p.mask = layer.mask
    if (layer.mask) this.owners.set(p.name, layer)
    if (layer.b) this.add(`${name}/b`, layer.b, group, 'bias')
    this.flopTerms.push({ layer, uses })
    this.disposers.push(() => layer.dispose())
  }

  /** Registers a batch norm: γ, β as 'norm' params (never pruned), running statistics as buffers. */
  addNorm(name: string, bn: { gamma: tf.Variable; beta: tf.Variable; runMean: tf.Variable; runVar: tf.Variable; dispose(): void }, group: ParamGroup): void {
    this.add(`${name}/gamma`, bn.gamma, group, 'norm')
    this.add(`${name}/beta`, bn.beta, group, 'norm')
    this.disposers.push(() => bn.dispose())
    // Buffers are disposed by bn.dispose(); keep them out of this.buffers' own disposal.
    this.normBuffers.set(`${name}/mean`, bn.runMean)
    this.normBuffers.set(`${name}/var`, bn.runVar)
  }

  addBuffer(name: string, variable: tf.Variable): void {
    this.buffers.set(name, variable)
  }

  onDispose(f: () => void): void {
    this.disposers.push(f)
  }

  setMask(name: string, values: Float32Array): void {
    const owner = this.owners.get(name)
    if (!owner) throw new Error(`${name} is not a prunable parameter`)
    owner.setMask(values)
    const p = this.params.find((q) => q.name === name)!
    p.mask = owner.mask
  }

  getWeights(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>()
    for (const p of this.params) out.set(p.name, Float32Array.from(p.variable.dataSync() as Float32Array))
    for (const [name, v] of this.allBuffers()) out.set(name, Float32Array.from(v.dataSync() as Float32Array))
    return out
  }

  setWeights(map: Map<string, Float32Array>): void {
    const assign = (name: string, v: tf.Variable, mask: tf.Tensor | null) => {
      const values = map.get(name)
      if (!values) return
      if (values.length !== v.size) throw new Error(`${name}: ${values.length} values, expected ${v.size}`)
      tf.tidy(() => {
        const t = tf.tensor(values, v.shape)
        v.assign(mask ? tf.mul(t, mask) : t)
      })
    }
    for (const p of this.params) assign(p.name, p.variable, p.mask)
    for (const [name, v] of this.allBuffers()) assign(name, v, null)
  }

  private allBuffers(): Array<[string, tf.Variable]> {
    return [...this.buffers, ...this.normBuffers]
  }

  flops(): { dense: number; sparse: number } {
    let dense = 0
    let sparse = 0
    for (const t of this.flopTerms) {
      dense += 2 * t.layer.w.size * t.uses
      sparse += 2 * t.layer.nonzero() * t.uses
    }
    return { dense, sparse }
  }

  dispose(): void {
    for (const d of this.disposers) d()
    for (const v of this.buffers.values()) v.dispose()
    this.disposers.length = 0
    this.buffers.clear()
    this.normBuffers.clear()
  }
}
