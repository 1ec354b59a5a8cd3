/** The app itself: training backends, user settings, bench figures. */
import { z } from 'zod'

export const BackendName = z.enum(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'])
export type BackendName = z.infer<typeof BackendName>
export const BackendChoice = z.enum(['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'])
export type BackendChoice = z.infer<typeof BackendChoice>

export const BackendInfo = z.object({
  name: BackendName,
  /** Threads each training worker uses. */
  threads: z.number().int(),
  /** Parallel training workers. */
  workers: z.number().int(),
  /** Backends that were tried and why they were skipped. */
  skipped: z.array(z.object({ name: BackendName, reason: z.string() })),
  /** Native BLAS kernels on the wasm heap (native/): whether they are used, and why not. */
  native: z
    .object({
      available: z.boolean(),
      reason: z.string().nullable(),
      /** e.g. "OpenBLAS 0.3.21" */
      library: z.string().nullable(),
      /** BLAS kernel family, e.g. "SkylakeX" */
      kernels: z.string().nullable(),
      threads: z.number().int()
    })
    .optional(),
  /** The WebGPU adapter (webgpu only); `auto` never picks a software one (llvmpipe, SwiftShader, lavapipe). */
  adapter: z
    .object({
      vendor: z.string(),
      architecture: z.string(),
      device: z.string(),
      description: z.string(),
      software: z.boolean(),
      /** Dawn backend it was reached through ('default' = Vulkan/Metal/D3D12, 'opengles'), or 'browser'. */
      via: z.string()
    })
    .optional()
})
export type BackendInfo = z.infer<typeof BackendInfo>

export const Settings = z.object({
  backend: BackendChoice,
  /** 0 = one worker per CPU core. */
  workers: z.number().int().min(0).max(64),
  theme: z.enum(['auto', 'light', 'dark'])
})
export type Settings = z.infer<typeof Settings>

export const BenchFigures = z.object({
  backend: z.string(),
  mlpSamplesPerSecond: z.number(),
  cnnImagesPerSecond: z.number(),
  quickComparisonSeconds: z.number().nullable(),
  measuredAt: z.string()
})
export type BenchFigures = z.infer<typeof BenchFigures>

export const AppInfo = z.object({
  version: z.string(),
  dataDir: z.string(),
  transport: z.enum(['ipc', 'websocket']),
  backend: BackendInfo,
  settings: Settings,
  bench: BenchFigures.nullable()
})
export type AppInfo = z.infer<typeof AppInfo>
