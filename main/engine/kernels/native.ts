/**
 * The native kernel provider (native/, an N-API addon calling OpenBLAS): loaded once per thread with
 * createRequire, never required. If it is not built, fails to load, or IUNET_NATIVE=0, the engine runs on the pure
 * wasm kernels and `nativeStatus()` says why. Every kernel works in place on Float32Arrays (views on the wasm heap)
 * and validates its shapes, throwing a JS error on bad input.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** An opaque CSR/CSC index of a mask's nonzeros, owned by the addon. */
export type SparsePattern = { readonly __pattern: unique symbol }

export interface NativeKernels {
  /** C[m,n] = alpha·op(A)·op(B) + beta·C, row-major; A is [m,k] ([k,m] if transA), B is [k,n] ([n,k] if transB). */
  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array): void
  /** C = act(A·B + bias). */
  gemmBiasAct(m: number, n: number, k: number, a: Float32Array, b: Float32Array, bias: Float32Array | null, c: Float32Array, relu: boolean): void
  sparsePattern(mask: Float32Array, rows: number, cols: number): SparsePattern
  freePattern(p: SparsePattern): void
  patternNnz(p: SparsePattern): number
  /** Y[batch, cols] = act(X[batch, rows]·(W at the pattern) + bias). */
  spmmForward(p: SparsePattern, batch: number, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, relu: boolean): void
  /** dW = Xᵀ·dZ at the pattern's positions (0 elsewhere); dX = dZ·(W at the pattern)ᵀ when dx is given. */
  spmmBackward(p: SparsePattern, batch: number, x: Float32Array, w: Float32Array, dz: Float32Array, dw: Float32Array, dx: Float32Array | null): void
  colSums(v: Float32Array, rows: number, cols: number, out: Float32Array): void
  /** out = a ⊙ b. */
  mulInto(a: Float32Array, b: Float32Array, out: Float32Array): void
  /** One AdamW step in the optimizer's fused form; m and v in place, the new weight into out. */
  adamw(
    w: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    mask: Float32Array | null,
    out: Float32Array,
    beta1: number,
    beta2: number,
    alpha: number,
    epsHat: number,
    decay: number
  ): void
  /**
   * AdamW for a weight kept masked to the pattern: kept positions only (same arithmetic as adamw), out 0 elsewhere;
   * out may be w itself (updated in place, its pruned positions already 0).
   */
  adamwSparse(
    p: SparsePattern,
    w: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    out: Float32Array,
    beta1: number,
    beta2: number,
    alpha: number,
    epsHat: number,
    decay: number
  ): void
  /** out = dy where y > 0, else 0. */
  reluBackward(dy: Float32Array, y: Float32Array, out: Float32Array): void
  /** 'same'-padded k×k patches of an NHWC map (stride 1), rows = pixels, columns (dy, dx, c); every element written. */
  im2col(x: Float32Array, b: number, h: number, w: number, c: number, k: number, out: Float32Array): void
  /** The adjoint of im2col, accumulated into out. */
  col2im(cols: Float32Array, b: number, h: number, w: number, c: number, k: number, out: Float32Array): void
  /** 2×2, stride 2 max pooling of an NHWC map; argmax gets each output's flat input index. */
  maxPool2(x: Float32Array, b: number, h: number, w: number, c: number, y: Float32Array, argmax: Int32Array): void
  /** dx[argmax[o]] += dy[o] (indices checked). */
  maxPoolBackward(dy: Float32Array, argmax: Int32Array, dx: Float32Array): void
  /**
   * y [b, h/2, w/2, cout] = 2×2 max pool of act(conv(x, weight) + bias) on an NHWC map (k×k, 'same', stride 1), in
   * chunks of images; argmax gets each output's flat index into the pre-pool map [b, h, w, cout].
   */
  convPoolForward(
    x: Float32Array,
    b: number,
    h: number,
    w: number,
    c: number,
    k: number,
    weight: Float32Array,
    cout: number,
    bias: Float32Array | null,
    relu: boolean,
    y: Float32Array,
    argmax: Int32Array
  ): void
  /** convPoolForward's gradients from dL/dy: dw, db and (when given) dx, all overwritten; argmax indices checked. */
  convPoolBackward(
    x: Float32Array,
    b: number,
    h: number,
    w: number,
    c: number,
    k: number,
    weight: Float32Array,
    cout: number,
    y: Float32Array,
    argmax: Int32Array,
    dy: Float32Array,
    relu: boolean,
    dw: Float32Array,
    db: Float32Array,
    dx: Float32Array | null
  ): void
  info(): { library: string; config: string; threads: number; cores: number; kernels?: string; kernelsSource?: string }
  /** BLAS threads for the whole process (OpenBLAS' setting is process-wide); returns the count now in force. */
  setThreads(n: number): number
  counters(): { liveBytes: number; allocations: number; frees: number }
  /** Validated calls of each kernel made by the calling thread (each worker thread counts its own). */
  kernelCalls(): KernelCalls
  /** The calling thread's kernel call counts back to zero. */
  resetKernelCalls(): void
}

/** Calls of each native kernel, by its name on NativeKernels (the addon's table in native/src/iunet_native.h). */
export type KernelCalls = Record<string, number>

/**
 * The kernels of each kind of work: a dense product (BLAS), a masked layer on its sparse pattern (pruned to
 * density ≤ SPARSE_DENSITY), convolution data movement.
 */
export const KERNEL_FAMILIES = {
  blas: ['sgemm', 'gemmBiasAct'],
  sparse: ['spmmForward', 'spmmBackward', 'adamwSparse'],
  conv: ['im2col', 'col2im', 'maxPool2', 'maxPoolBackward', 'convPoolForward', 'convPoolBackward']
} as const satisfies Record<string, readonly (keyof NativeKernels)[]>

export type KernelFamily = keyof typeof KERNEL_FAMILIES

export interface NativeStatus {
  available: boolean
  /** Why the native kernels are not used (null when they are). */
  reason: string | null
  /** e.g. "OpenBLAS 0.3.21". */
  library: string | null
  /** The BLAS kernel family, e.g. "SkylakeX". */
  kernels: string | null
  threads: number
}

const ADDON = path.join('native', 'build', 'Release', 'iunet_native.node')

let loaded: { mod: NativeKernels | null; reason: string | null; file: string | null } | null = null
/** Runtime switch (tests, bench): false forces the pure wasm kernels even when the addon is loaded. */
let enabled = true

/** The addon next to this source (main/engine/kernels → repo root) or next to a built bundle (out/main). */
function findAddon(): string | null {
  if (process.env.IUNET_NATIVE_PATH) return existsSync(process.env.IUNET_NATIVE_PATH) ? process.env.IUNET_NATIVE_PATH : null
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, ADDON)
    if (existsSync(candidate)) return candidate
    const up = path.dirname(dir)
    if (up === dir) break
    dir = up
  }
  const fromCwd = path.join(process.cwd(), ADDON)
  return existsSync(fromCwd) ? fromCwd : null
}

function load(): NonNullable<typeof loaded> {
  if (loaded) return loaded
  if (process.env.IUNET_NATIVE === '0') return (loaded = { mod: null, reason: 'IUNET_NATIVE=0', file: null })
  const file = findAddon()
  if (!file)
    return (loaded = { mod: null, reason: 'native kernels not built (npm install builds them; needs build-essential and libopenblas-dev)', file: null })
  try {
    const mod = createRequire(import.meta.url)(file) as NativeKernels
    if (typeof mod.sgemm !== 'function') throw new Error('addon has no sgemm')
    return (loaded = { mod, reason: null, file })
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300)
    return (loaded = { mod: null, reason: `native kernels failed to load: ${msg}`, file })
  }
}

/** The addon when it is loaded and enabled, else null. Callers also need the wasm backend (heap access). */
export function nativeKernels(): NativeKernels | null {
  return enabled ? load().mod : null
}

/** The addon whether or not it is enabled (tests, counters). */
export function nativeAddon(): NativeKernels | null {
  return load().mod
}

/** Turns the native kernels off (false) or back on; returns the previous setting. */
export function setNativeEnabled(on: boolean): boolean {
  const prev = enabled
  enabled = on
  return prev
}

export function nativeEnabled(): boolean {
  return enabled
}

/** "OpenBLAS 0.3.21" from the addon's config string. */
function libraryOf(mod: NativeKernels): { library: string; kernels: string | null; threads: number } {
  const i = mod.info()
  const version = /OpenBLAS\s+([\d.]+)/.exec(i.config)?.[1]
  return { library: version ? `${i.library} ${version}` : i.library, kernels: i.kernels || null, threads: i.threads }
}

export function nativeStatus(): NativeStatus {
  const l = load()
  if (!l.mod) return { available: false, reason: l.reason, library: null, kernels: null, threads: 1 }
  const lib = libraryOf(l.mod)
  return { available: enabled, reason: enabled ? null : 'turned off at run time', library: lib.library, kernels: lib.kernels, threads: lib.threads }
}

/** Sets the BLAS threads (process-wide); a no-op without the addon. Returns the count in force (1 without). */
export function setBlasThreads(n: number): number {
  const mod = load().mod
  if (!mod) return 1
  return mod.setThreads(Math.max(1, Math.floor(n)))
}

/** This thread's kernel call counts so far, or null without the addon (wasm kernels, IUNET_NATIVE=0, browser). */
export function kernelCalls(): KernelCalls | null {
  return load().mod?.kernelCalls() ?? null
}

/** Sets this thread's kernel call counts back to zero (a no-op without the addon). */
export function resetKernelCalls(): void {
  load().mod?.resetKernelCalls()
}

/** The calls made since `before` (an earlier kernelCalls() of the same thread), kernels with none left out. */
export function kernelCallsSince(before: KernelCalls): KernelCalls {
  const now = kernelCalls() ?? {}
  const out: KernelCalls = {}
  for (const [name, n] of Object.entries(now)) if (n - (before[name] ?? 0) > 0) out[name] = n - (before[name] ?? 0)
  return out
}

/** Calls summed by family (blas, sparse, conv). */
export function callsByFamily(calls: KernelCalls): Record<KernelFamily, number> {
  const sum = (names: readonly string[]) => names.reduce((s, n) => s + (calls[n] ?? 0), 0)
  return { blas: sum(KERNEL_FAMILIES.blas), sparse: sum(KERNEL_FAMILIES.sparse), conv: sum(KERNEL_FAMILIES.conv) }
}
