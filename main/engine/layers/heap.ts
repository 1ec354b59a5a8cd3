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

const EMPTY_KERNEL = 'IunetEmpty'

/** A float32 tensor whose memory is allocated but not initialized (wasm); saves a memset for full overwrites. */
export function emptyTensor(shape: number[]): tf.Tensor {
  if (!tf.getKernel(EMPTY_KERNEL, 'wasm')) {
    tf.registerKernel({
      kernelName: EMPTY_KERNEL,
      backendName: 'wasm',
      kernelFunc: ({ backend, attrs }) =>
        (backend as unknown as { makeOutput(shape: number[], dtype: string): tf.TensorInfo }).makeOutput(attrs!.shape as unknown as number[], 'float32')
    })
  }
  return tf.engine().runKernel(EMPTY_KERNEL, {}, { shape } as unknown as tf.NamedAttrMap) as tf.Tensor
}

/** True when tensors can be read and written in place (the wasm backend). */
export function heapAccess(): boolean {
  return wasmBackend() !== null
}

/**
 * Creates a float32 tensor of `shape` and lets `fill` write it, reading `inputs` as Float32Arrays. The output
 * starts zero-filled unless `zeroed` is false, in which case `fill` must write every element. `fill` must not call
 * tfjs.
 */
export function computeInto(inputs: tf.Tensor[], shape: number[], fill: (out: Float32Array, ...ins: Float32Array[]) => void, zeroed = true): tf.Tensor {
  const wasm = wasmBackend()
  if (!wasm) {
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1))
    fill(out, ...inputs.map((t) => t.dataSync() as Float32Array))
    return tf.tensor(out, shape)
  }
  for (const t of inputs) if (t.dtype !== 'float32') throw new Error(`computeInto: ${t.dtype} input`)
  // tf.fill runs wasm's Fill kernel in the heap; tf.zeros would build a fresh JS array and copy it in.
  const out = zeroed ? tf.fill(shape, 0) : emptyTensor(shape)
  // Views are taken after the last allocation.
  fill(wasm.typedArrayFromHeap(out), ...inputs.map((t) => wasm.typedArrayFromHeap(t)))
  return out
}

/** Runs `read` on the tensor's values without copying them out of the wasm heap (a copy elsewhere). */
export function readFloats<T>(t: tf.Tensor, read: (values: Float32Array) => T): T {
  const wasm = wasmBackend()
  return read(wasm ? wasm.typedArrayFromHeap(t) : (t.dataSync() as Float32Array))
}

/**
 * Views on the wasm heap of several tensors at once (null off wasm). Take them after the last tfjs allocation —
 * allocate every output first — and use them before the next one.
 */
export function heapViews(ts: tf.Tensor[]): Float32Array[] | null {
  const wasm = wasmBackend()
  if (!wasm) return null
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`heapViews: ${t.dtype} tensor`)
  return ts.map((t) => wasm.typedArrayFromHeap(t))
}
