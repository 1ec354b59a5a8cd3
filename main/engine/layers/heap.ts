/**
 * Zero-copy access to tensor memory for the JS kernels (im2col, pooling, transposes).
 *
 * On wasm, dataSync() copies into a fresh ArrayBuffer and tf.tensor(values) copies back; for the 29 MB patch
 * matrices of a small CNN, touching fresh memory costs 100–250 ms per step (page faults), versus ~10 ms for memory
 * that is already mapped. So on wasm the kernels read and write the wasm heap in place through the backend's
 * typedArrayFromHeap; other backends use dataSync()/tf.tensor. Views are only valid until the next tfjs
 * allocation (the heap may grow), so they are taken right before use and never kept.
 */
import * as tf from '@tensorflow/tfjs-core'

interface WasmBackendLike {
  typedArrayFromHeap(t: { shape: number[]; dtype: string; dataId: object }): Float32Array
}

function wasmBackend(): WasmBackendLike | null {
  if (tf.getBackend() !== 'wasm') return null
  const b = tf.backend() as unknown as Partial<WasmBackendLike>
  return typeof b.typedArrayFromHeap === 'function' ? (b as WasmBackendLike) : null
}

/** True when tensors can be read and written in place (the wasm backend). */
export function heapAccess(): boolean {
  return wasmBackend() !== null
}

/**
 * Creates a zero-filled float32 tensor of `shape` and lets `fill` write it, reading `inputs` as Float32Arrays.
 * `fill` must not call tfjs.
 */
export function computeInto(inputs: tf.Tensor[], shape: number[], fill: (out: Float32Array, ...ins: Float32Array[]) => void): tf.Tensor {
  const wasm = wasmBackend()
  if (!wasm) {
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1))
    fill(out, ...inputs.map((t) => t.dataSync() as Float32Array))
    return tf.tensor(out, shape)
  }
  for (const t of inputs) if (t.dtype !== 'float32') throw new Error(`computeInto: ${t.dtype} input`)
  // tf.fill runs wasm's Fill kernel in the heap; tf.zeros would build a fresh JS array and copy it in.
  const out = tf.fill(shape, 0)
  // Views are taken after the last allocation.
  fill(wasm.typedArrayFromHeap(out), ...inputs.map((t) => wasm.typedArrayFromHeap(t)))
  return out
}

/** Runs `read` on the tensor's values without copying them out of the wasm heap (a copy elsewhere). */
export function readFloats<T>(t: tf.Tensor, read: (values: Float32Array) => T): T {
  const wasm = wasmBackend()
  return read(wasm ? wasm.typedArrayFromHeap(t) : (t.dataSync() as Float32Array))
}
