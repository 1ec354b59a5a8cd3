/**
 * Slurm from the login node: the array job script, sbatch, and what squeue/sacct say about each array task.
 * Only these three commands are used, so any Slurm the user can reach (a cluster, scripts/slurm-local.sh) works.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { writeFileSync, chmodSync } from 'node:fs'
import { resolve } from 'node:path'
import { studyFolderLayout } from './layout.ts'

const run = promisify(execFile)

export interface SlurmOptions {
  partition?: string
  time?: string
  cpusPerTask?: number
  /** Extra sbatch arguments, as given. */
  extra?: string[]
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

/** "0-3" style ranges for --array: [0,1,2,3,7] → "0-3,7". */
export function arraySpec(indices: readonly number[]): string {
  const xs = [...new Set(indices)].sort((a, b) => a - b)
  const parts: string[] = []
  for (let i = 0; i < xs.length;) {
    let j = i
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++
    parts.push(i === j ? String(xs[i]) : `${xs[i]}-${xs[j]}`)
    i = j + 1
  }
  return parts.join(',')
}

/** The batch script: each array task runs `iunet study task DIR $SLURM_ARRAY_TASK_ID` with this node and CLI. */
export function jobScript(dir: string, name: string, command: readonly string[], opts: SlurmOptions): string {
  const root = resolve(dir)
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=${quote(`iunet-${name}`.replace(/\s+/g, '-').slice(0, 60))}`,
    `#SBATCH --output=${studyFolderLayout(root).slurmLog}`,
    `#SBATCH --cpus-per-task=${opts.cpusPerTask ?? 1}`,
    ...(opts.partition ? [`#SBATCH --partition=${opts.partition}`] : []),
    ...(opts.time ? [`#SBATCH --time=${opts.time}`] : []),
    'set -euo pipefail',
    `exec ${command.map(quote).join(' ')} study task ${quote(root)} "$SLURM_ARRAY_TASK_ID" --workers "\${SLURM_CPUS_PER_TASK:-1}"`,
    ''
  ]
  return lines.join('\n')
}

/** Writes DIR/job.sh and submits it as one array job over `indices`; returns the job id. */
export async function submitArray(dir: string, script: string, indices: readonly number[], opts: SlurmOptions): Promise<string> {
  const file = studyFolderLayout(resolve(dir)).jobScript
  writeFileSync(file, script)
  chmodSync(file, 0o755)
  const { stdout } = await run('sbatch', ['--parsable', `--array=${arraySpec(indices)}`, ...(opts.extra ?? []), file], { cwd: resolve(dir) })
  const id = stdout.trim().split(';')[0]!
  if (!/^\d+$/.test(id)) throw new Error(`sbatch answered "${stdout.trim()}", not a job id`)
  return id
}

export type SlurmTaskState = 'pending' | 'running' | 'failed' | 'completed' | 'unknown'

function expand(range: string): number[] {
  // "3", "0-3", "[0-2,5]", "[0-3%2]"
  return range
    .replace(/[[\]]/g, '')
    .replace(/%\d+$/, '')
    .split(',')
    .flatMap((p) => {
      const [a, b] = p.split('-').map(Number)
      return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, i) => a! + i)
    })
    .filter((x) => Number.isInteger(x))
}

/** Parses `squeue -h -o "%i %T"` lines of array tasks ("12_3 RUNNING", "12_[4-7] PENDING"). */
export function parseSqueue(text: string, jobId: string): Map<number, SlurmTaskState> {
  const out = new Map<number, SlurmTaskState>()
  for (const line of text.split('\n')) {
    const [id, state] = line.trim().split(/\s+/)
    if (!id || !state || !id.startsWith(`${jobId}_`)) continue
    const s: SlurmTaskState = /PENDING|CONFIGURING|REQUEUED/.test(state) ? 'pending' : /RUNNING|COMPLETING/.test(state) ? 'running' : 'unknown'
    for (const i of expand(id.slice(jobId.length + 1))) out.set(i, s)
  }
  return out
}

/** Parses `sacct -n -P -X -o JobID,State` lines ("12_3|FAILED", "12_[4-7]|PENDING"). */
export function parseSacct(text: string, jobId: string): Map<number, SlurmTaskState> {
  const out = new Map<number, SlurmTaskState>()
  for (const line of text.split('\n')) {
    const [id, state] = line.trim().split('|')
    if (!id || !state || !id.startsWith(`${jobId}_`)) continue
    const s: SlurmTaskState = /^COMPLETED/.test(state)
      ? 'completed'
      : /^(FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE)/.test(state)
        ? 'failed'
        : /^RUNNING/.test(state)
          ? 'running'
          : /^PENDING/.test(state)
            ? 'pending'
            : 'unknown'
    for (const i of expand(id.slice(jobId.length + 1))) out.set(i, s)
  }
  return out
}

/** Slurm's view of a job's array tasks: squeue for live ones, sacct (when accounting is on) for ended ones. */
export async function arrayTaskStates(jobId: string): Promise<Map<number, SlurmTaskState>> {
  const out = new Map<number, SlurmTaskState>()
  const sacct = await run('sacct', ['-n', '-P', '-X', '-j', jobId, '-o', 'JobID,State']).catch(() => null)
  if (sacct) for (const [i, s] of parseSacct(sacct.stdout, jobId)) out.set(i, s)
  const squeue = await run('squeue', ['-h', '-r', '-j', jobId, '-o', '%i %T']).catch(() => null)
  if (squeue) for (const [i, s] of parseSqueue(squeue.stdout, jobId)) out.set(i, s)
  return out
}

export async function hasSbatch(): Promise<boolean> {
  return run('sbatch', ['--version']).then(
    () => true,
    () => false
  )
}
