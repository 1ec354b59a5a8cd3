/**
 * The tabular ResNet of Gorishniy et al. 2021 ("Revisiting Deep Learning Models for Tabular Data"):
 * Linear(d_in → d) → N × [x + Dropout(Linear(Dropout(ReLU(Linear(BN(x))))))] → BN → ReLU → Linear(head).
 * The features are the output of the final ReLU. Dropout is seeded and off by default.
 */
import { architecture, dense, type Architecture, type Layer } from './arch.ts'

export interface TabResNetSpec {
  inputs: number
  classes: number
  width?: number
  blocks?: number
  hiddenFactor?: number
  dropout?: number
}

export function describeTabResNet(spec: TabResNetSpec): Architecture {
  const d = spec.width ?? 128
  const hidden = Math.round(d * (spec.hiddenFactor ?? 2))
  const rate = spec.dropout ?? 0
  const layers: Layer[] = [dense('input', spec.inputs, d, false)]
  for (let i = 0; i < (spec.blocks ?? 2); i++) {
    const body: Layer[] = [
      { op: 'norm', name: `b${i}/bn`, channels: d },
      dense(`b${i}/l1`, d, hidden, true),
      { op: 'dropout', name: `b${i}/drop1`, rate },
      dense(`b${i}/l2`, hidden, d, false),
      { op: 'dropout', name: `b${i}/drop2`, rate }
    ]
    layers.push({ op: 'residual', body, shortcut: [] })
  }
  layers.push({ op: 'norm', name: 'final/bn', channels: d }, { op: 'relu' })
  return architecture('tabresnet', [spec.inputs], layers, d, spec.classes)
}
