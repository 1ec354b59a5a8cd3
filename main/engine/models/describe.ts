/** The description (arch.ts) of any of the engine's architectures, from its spec. */
import type { Architecture } from './arch.ts'
import { describeCnn } from './cnn.ts'
import { describeMlp } from './mlp.ts'
import { describeResNet } from './resnet.ts'
import { describeTabResNet } from './tabresnet.ts'
import type { ModelSpec } from './types.ts'

export function describeModel(spec: ModelSpec): Architecture {
  switch (spec.kind) {
    case 'mlp':
      return describeMlp(spec)
    case 'cnn':
      return describeCnn(spec)
    case 'resnet':
      return describeResNet(spec)
    case 'tabresnet':
      return describeTabResNet(spec)
  }
}
