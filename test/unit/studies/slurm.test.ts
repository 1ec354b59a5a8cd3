/**
 * End to end through Slurm: a one-node cluster (scripts/slurm-local.sh) runs a small study as one sbatch array
 * job; collected into a store, its numbers equal the same study run locally with `iunet study run`. Collecting
 * twice adds nothing; a failed cell is resubmitted alone. Skipped (with the reason printed) only without sbatch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { openStore } from '../../../main/store/index.ts'
import type { ModelResult, StudyDetail } from '../../../main/contract/index.ts'
import { skipSuite } from '../../helpers/suites.ts'

const BIN = resolve('bin/iunet.mjs')
const SCRIPT = resolve('scripts/slurm-local.sh')
const hasSbatch = spawnSync('sh', ['-c', 'command -v sbatch && (command -v slurmctld || test -x /usr/sbin/slurmctld)']).status === 0
const skipSlurm = skipSuite('slurm', hasSbatch ? null : 'sbatch/slurmctld not installed (apt-get install -y slurm-wlm munge)')

const tmp = mkdtempSync(join(tmpdir(), 'iunet-slurm-e2e-'))
const env = {
  ...process.env,
  IUNET_SLURM_DIR: join(tmp, 'cluster'),
  IUNET_SLURM_PORT: String(20000 + (process.pid % 5000) * 2),
  SLURM_CONF: join(tmp, 'cluster', 'slurm.conf')
}

function iunet(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, timeout: 150_000 })
  if (r.status !== 0) throw new Error(`iunet ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}

async function until(what: string, ok: () => boolean, ms: number) {
  const t0 = Date.now()
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 1000))
  }
}

const states = (dir: string) => JSON.parse(iunet('study', 'status', dir, '--json')) as { index: number; state: string }[]

/** Each cell's stored results by dataset name and grid point, timing fields left out (they differ run to run). */
function storedResults(dataDir: string, studyId: string) {
  const store = openStore(dataDir)
  try {
    const study = store.studies.get(studyId)!
    const runs = new Map(
      store.studies
        .cellRuns(studyId)
        .filter((r) => r.status === 'finished')
        .map((r) => [r.cell, r.runId])
    )
    return Object.fromEntries(
      study.cells.map((c) => [
        `${c.datasetName} ${JSON.stringify(c.grid)}`,
        store.results.results(runs.get(c.key)!).map(({ trainSeconds: _t, inferenceMsPerExample: _i, ...r }: ModelResult) => r)
      ])
    )
  } finally {
    store.close()
  }
}

describe.skipIf(skipSlurm)('studies on Slurm', () => {
  beforeAll(() => {
    execFileSync(SCRIPT, ['start'], { env, stdio: ['ignore', 'pipe', 'inherit'] })
  }, 60_000)
  afterAll(() => {
    if (hasSbatch) spawnSync(SCRIPT, ['stop'], { env, stdio: 'inherit' })
    rmSync(tmp, { recursive: true, force: true })
  })

  it('submit → status → collect gives the numbers of a local run; collecting twice adds nothing; --resubmit reruns a failed cell', async () => {
    const spec = join(tmp, 'study.yaml')
    writeFileSync(
      spec,
      [
        'name: slurm e2e',
        'datasets:',
        `  - path: ${resolve('resources/examples/iris.csv')}`,
        `  - path: ${resolve('resources/examples/wine.csv')}`,
        'models: [iunet, mlp]',
        'seeds: 2',
        'preset: quick',
        'settings: { epochs: 2, finetuneEpochs: 1, width: 16, depth: 1, compressions: [4], patience: 0 }',
        'grid:',
        '  kappa: [0.125, 1]',
        ''
      ].join('\n')
    )
    // the same study on this machine, into its own store
    iunet('study', 'run', spec, '--workers', '1', '--quiet', '--data-dir', join(tmp, 'local'), '--json', join(tmp, 'local.json'))
    const local = JSON.parse(readFileSync(join(tmp, 'local.json'), 'utf8')) as StudyDetail

    const dir = join(tmp, 'folder')
    const out = iunet('study', 'submit', spec, '--slurm', '--dir', dir, '--cpus-per-task', '1', '--data-dir', join(tmp, 'cluster-store'))
    expect(out).toMatch(/submitted job \d+: 4 cell\(s\) \(--array=0-3\)/)
    await until('4 result files', () => states(dir).every((s) => s.state === 'done'), 150_000)
    expect(existsSync(join(dir, 'study.json'))).toBe(true)

    expect(iunet('study', 'collect', dir, '--data-dir', join(tmp, 'cluster-store'))).toMatch(/4 cell\(s\) added, 0 already stored/)
    expect(iunet('study', 'collect', dir, '--data-dir', join(tmp, 'cluster-store'))).toMatch(/0 cell\(s\) added, 4 already stored/)
    const studyId = JSON.parse(readFileSync(join(dir, 'study.json'), 'utf8')).studyId as string
    iunet('study', 'show', studyId, '--data-dir', join(tmp, 'cluster-store'), '--json', join(tmp, 'cluster.json'))
    const cluster = JSON.parse(readFileSync(join(tmp, 'cluster.json'), 'utf8')) as StudyDetail

    // identical numbers: the matrices, the tests, and every seed's stored result
    expect(cluster.finishedCells).toBe(4)
    expect(cluster.variants.map((v) => v.label)).toEqual(local.variants.map((v) => v.label))
    expect(cluster.matrix).toEqual(local.matrix)
    expect(cluster.tests).toEqual(local.tests)
    expect(cluster.verdicts).toEqual(local.verdicts)
    const a = storedResults(join(tmp, 'local'), local.id)
    const b = storedResults(join(tmp, 'cluster-store'), studyId)
    expect(Object.keys(b)).toHaveLength(4)
    expect(b).toEqual(a)

    // a cell that failed (no result, an error file) is the only one resubmitted
    rmSync(join(dir, 'results', '1.json'))
    writeFileSync(join(dir, 'results', '1.error.json'), JSON.stringify({ index: 1, message: 'node lost' }))
    expect(states(dir).map((s) => s.state)).toEqual(['done', 'failed', 'done', 'done'])
    expect(iunet('study', 'submit', dir, '--resubmit')).toMatch(/submitted job \d+: 1 cell\(s\) \(--array=1\)/)
    await until('the resubmitted cell', () => states(dir).every((s) => s.state === 'done'), 120_000)
    expect(existsSync(join(dir, 'results', '1.error.json'))).toBe(false)
    expect(iunet('study', 'collect', dir, '--data-dir', join(tmp, 'cluster-store'))).toMatch(/0 cell\(s\) added, 4 already stored/)
  }, 300_000)
})
