/**
 * Side-by-side throughput: the engine's benchMlp/benchCnn on the chosen backend and bench/torch_bench.py (PyTorch
 * CPU, 1 thread), alternating for `--rounds` rounds in one run so that load from other processes hits both alike.
 * Usage: npx tsx bench/compare.ts [--backend wasm] [--seconds 5] [--rounds 2] [--python /usr/bin/python3]
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { BackendChoice } from '../main/contract/index.ts'
import { initBackend } from '../main/engine/backend.ts'
import { benchCnn, benchMlp } from '../main/engine/bench.ts'

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    python: { type: 'string', default: 'python3' }
  }
})
const seconds = Number(values.seconds)
const info = await initBackend(values.backend as BackendChoice)
const script = fileURLToPath(new URL('./torch_bench.py', import.meta.url))
const rows: Array<Record<string, number | string>> = []
for (let r = 0; r < Number(values.rounds); r++) {
  const mlp = benchMlp({ seconds })
  const cnn = benchCnn({ seconds })
  const t = spawnSync(values.python!, [script, '--seconds', String(seconds)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' }
  })
  const torch = t.status === 0 ? (JSON.parse(t.stdout.trim().split('\n').pop()!) as Record<string, number | string>) : null
  const row: Record<string, number | string> = {
    round: r + 1,
    backend: info.name,
    mlpSamplesPerSecond: Math.round(mlp.perSecond),
    cnnImagesPerSecond: Math.round(cnn.perSecond)
  }
  if (torch) {
    row.torchMlp = Math.round(torch.mlpSamplesPerSecond as number)
    row.torchCnn = Math.round(torch.cnnImagesPerSecond as number)
    row.mlpRatio = +(mlp.perSecond / (torch.mlpSamplesPerSecond as number)).toFixed(2)
    row.cnnRatio = +(cnn.perSecond / (torch.cnnImagesPerSecond as number)).toFixed(2)
  } else row.torch = `skipped: ${t.stderr.trim().split('\n').pop() ?? t.error?.message}`
  rows.push(row)
  console.log(JSON.stringify(row))
}
