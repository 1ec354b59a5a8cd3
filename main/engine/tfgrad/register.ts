/**
 * Registers tfjs-core's gradient functions, which its CommonJS build (the one Node loads) leaves out; without
 * this, tf.variableGrads fails with "gradient function not found for RealDiv" and the like. Idempotent, and it
 * never replaces a gradient that is already registered (e.g. by the full @tensorflow/tfjs package).
 */
import * as tf from '@tensorflow/tfjs-core'
import { gradConfigs, TFJS_CORE_VERSION } from './gradients.generated.ts'

export function registerGradients(): number {
  if (tf.version_core !== TFJS_CORE_VERSION) {
    throw new Error(
      `gradients were generated for tfjs-core ${TFJS_CORE_VERSION}, but ${tf.version_core} is installed: run node main/engine/tfgrad/generate.mjs`
    )
  }
  let added = 0
  for (const cfg of gradConfigs as tf.GradConfig[]) {
    if (tf.getGradient(cfg.kernelName) == null) {
      tf.registerGradient(cfg)
      added++
    }
  }
  return added
}

registerGradients()
