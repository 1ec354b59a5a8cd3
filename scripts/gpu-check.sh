#!/usr/bin/env bash
# GPU check for a machine with an NVIDIA GPU (or any Vulkan/Metal/D3D12 GPU): WebGPU through Dawn's Vulkan backend.
# Prints the adapter and samples/s for the bench MLP and CNN on webgpu, next to this machine's CPU path, as JSON files
# under ${OUT:-/tmp/iunet-gpu-check}. Needs the NVIDIA driver (its Vulkan ICD); installs Debian's libvulkan1 (the
# Vulkan loader) if it is missing. Not run by CI: CI has only the software adapter (llvmpipe).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/iunet-gpu-check}
mkdir -p "$out"
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends libvulkan1 >/dev/null
  else
    echo "libvulkan.so.1 missing: apt-get install libvulkan1" >&2
  fi
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "nvidia-smi: not found" >&2
seconds=${SECONDS_PER_BENCH:-6}
# Forced webgpu: prints the adapter; a software adapter here means the GPU was not reached (check the Vulkan ICD).
node bin/iunet.mjs bench --backend webgpu --seconds "$seconds" --skip-comparison --json "$out/webgpu.json" --data-dir "$out/data"
node bin/iunet.mjs bench --backend wasm --seconds "$seconds" --skip-comparison --json "$out/cpu.json" --data-dir "$out/data"
node -e '
const g = require(process.argv[1] + "/webgpu.json"), c = require(process.argv[1] + "/cpu.json")
const a = g.adapter || {}
console.log(`adapter: ${a.vendor} ${a.architecture} ${a.device} (${a.description})${a.software ? " SOFTWARE" : ""}`)
console.log(`MLP: webgpu ${g.mlpSamplesPerSecond.toFixed(0)} samples/s vs CPU ${c.mlpSamplesPerSecond.toFixed(0)} (${(g.mlpSamplesPerSecond / c.mlpSamplesPerSecond).toFixed(1)}x)`)
console.log(`CNN: webgpu ${g.cnnImagesPerSecond.toFixed(0)} images/s vs CPU ${c.cnnImagesPerSecond.toFixed(0)} (${(g.cnnImagesPerSecond / c.cnnImagesPerSecond).toFixed(1)}x)`)
' "$out"
# The Fashion-MNIST `standard` comparison (iunet, mlp, cnn, omp × 3 seeds) on webgpu, timed: all 60k training rows
# unless MAX_ROWS is set (the target on a real GPU: under 30 minutes for all rows). FASHION_MNIST: the IDX images
# file (default: Debian's dataset-fashion-mnist); FASHION=0 skips it; EPOCHS/SEEDS shorten a smoke run.
fashion=${FASHION_MNIST:-/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz}
if [ "${FASHION:-1}" != 0 ] && [ -e "$fashion" ]; then
  t0=$(date +%s)
  node bin/iunet.mjs run --data "$fashion" --preset standard --models iunet,mlp,cnn,omp --seeds "${SEEDS:-3}" \
    --max-rows "${MAX_ROWS:-all}" ${EPOCHS:+--epochs "$EPOCHS"} --backend webgpu --data-dir "$out/data" --json "$out/fashion-webgpu.json" -q
  echo "Fashion-MNIST standard comparison on webgpu (max rows ${MAX_ROWS:-all}): $(( $(date +%s) - t0 )) s wall"
elif [ "${FASHION:-1}" != 0 ]; then
  echo "Fashion-MNIST not found at $fashion (apt-get install dataset-fashion-mnist, or set FASHION_MNIST)" >&2
fi
