/**
 * How the hidden GPU-training window gets its MessagePort: main sends it on an IPC channel to the window's preload,
 * which hands it to the page with a window message. Imports nothing: preload/gpu.ts bundles this file alone (a
 * sandboxed preload may require electron only, not a chunk shared with the other preload, hence apart from
 * wireNames.ts).
 */

/** IPC channel on which main hands the hidden GPU-training window its MessagePort (app/gpuWindow → preload/gpu). */
export const GPU_PORT_CHANNEL = 'iunet:gpu-trainer-port'
/** What the GPU-training page receives on `window` (with the port in `ports[0]`) to start serving the job protocol. */
export const GPU_TRAINER_PORT = 'iunet-gpu-trainer-port'
