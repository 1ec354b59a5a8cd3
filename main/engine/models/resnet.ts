/**
 * A small ResNet for images: conv3×3 stem → `stages` stages of `blocksPerStage` basic blocks
 * ([conv3×3 → BN → ReLU → conv3×3 → BN] + shortcut, then ReLU), 2×2 max-pool between stages, channels doubling per
 * stage; the shortcut is a 1×1 conv + BN when the width changes. Convs have no bias (BN follows). Global average
 * pooling gives the features.
 */
import { architecture, type Architecture, type Layer } from './arch.ts'

export interface ResNetSpec {
  imageShape: [number, number, number]
  classes: number
  width?: number
  stages?: number
  blocksPerStage?: number
}

export function describeResNet(spec: ResNetSpec): Architecture {
  const width = spec.width ?? 16
  const stages = spec.stages ?? 3
  const perStage = spec.blocksPerStage ?? 1
  let [h, w] = spec.imageShape
  /** conv (no bias, no activation) followed by batch norm. */
  const convBn = (name: string, cin: number, cout: number, k: number): Layer[] => [
    { op: 'conv', name, cin, cout, k, relu: false, bias: false, uses: h * w },
    { op: 'norm', name: `${name}/bn`, channels: cout }
  ]
  const layers: Layer[] = [{ op: 'image', shape: spec.imageShape }, ...convBn('stem', spec.imageShape[2], width, 3), { op: 'relu' }]
  let c = width
  for (let s = 0; s < stages; s++) {
    const cout = width * 2 ** s
    for (let j = 0; j < perStage; j++) {
      // Pool before the first block of every stage after the first, while the maps are at least 2×2.
      if (s > 0 && j === 0 && h >= 2 && w >= 2) {
        layers.push({ op: 'maxpool' })
        h = Math.floor(h / 2)
        w = Math.floor(w / 2)
      }
      const name = `s${s}b${j}`
      const body = [...convBn(`${name}/a`, c, cout, 3), { op: 'relu' } as const, ...convBn(`${name}/b`, cout, cout, 3)]
      layers.push({ op: 'residual', body, shortcut: c !== cout ? convBn(`${name}/short`, c, cout, 1) : [] }, { op: 'relu' })
      c = cout
    }
  }
  layers.push({ op: 'globalAvgPool' })
  return architecture('resnet', [...spec.imageShape], layers, c, spec.classes)
}
