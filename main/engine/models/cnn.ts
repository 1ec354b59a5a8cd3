/**
 * The CNN baseline for images: [conv3×3 + ReLU → 2×2 max-pool] per entry of `channels`, then a dense ReLU layer
 * (the features) and the linear head. Input rows are flattened H×W×C images.
 */
import { architecture, dense, type Architecture, type Layer } from './arch.ts'

export interface CnnSpec {
  imageShape: [number, number, number]
  classes: number
  channels?: number[]
  hidden?: number
}

export function describeCnn(spec: CnnSpec): Architecture {
  const channels = spec.channels ?? [32, 64]
  const hidden = spec.hidden ?? 128
  let [h, w, c] = spec.imageShape
  const layers: Layer[] = [{ op: 'image', shape: spec.imageShape }]
  channels.forEach((cout, i) => {
    layers.push({ op: 'conv', name: `conv${i}`, cin: c, cout, k: 3, relu: true, bias: true, uses: h * w }, { op: 'maxpool' })
    c = cout
    h = Math.floor(h / 2)
    w = Math.floor(w / 2)
  })
  layers.push({ op: 'flatten', size: h * w * c }, dense('fc', h * w * c, hidden, true))
  return architecture('cnn', [...spec.imageShape], layers, hidden, spec.classes)
}
