/** What squeue/sacct print about array tasks, and --array ranges. */
import { describe, expect, it } from 'vitest'
import { arraySpec, jobScript, parseSacct, parseSqueue } from '../../../main/services/slurm.ts'

describe('slurm helpers', () => {
  it('compresses cell indices into --array ranges', () => {
    expect(arraySpec([3, 0, 1, 2, 7, 9, 10])).toBe('0-3,7,9-10')
    expect(arraySpec([5])).toBe('5')
  })
  it('reads running, pending (ranges too) and ended array tasks of one job only', () => {
    const q = parseSqueue('12_3 RUNNING\n12_[4-6,9%2] PENDING\n13_1 RUNNING\n', '12')
    expect([...q]).toEqual([
      [3, 'running'],
      [4, 'pending'],
      [5, 'pending'],
      [6, 'pending'],
      [9, 'pending']
    ])
    const a = parseSacct('12_0|COMPLETED\n12_1|FAILED\n12_2|CANCELLED by 0\n12_3|TIMEOUT\n12_4|RUNNING\n120_1|FAILED\n', '12')
    expect([...a]).toEqual([
      [0, 'completed'],
      [1, 'failed'],
      [2, 'failed'],
      [3, 'failed'],
      [4, 'running']
    ])
  })
  it('writes a batch script that runs the cell of the array task, with the options asked for', () => {
    const s = jobScript('/shared/st', "my 'study'", ['/usr/bin/node', '/opt/iunet/bin/iunet.mjs'], { partition: 'gpu', time: '01:00:00', cpusPerTask: 4 })
    expect(s).toContain('#SBATCH --partition=gpu\n#SBATCH --time=01:00:00')
    expect(s).toContain('#SBATCH --cpus-per-task=4')
    expect(s).toContain(`exec '/usr/bin/node' '/opt/iunet/bin/iunet.mjs' study task '/shared/st' "$SLURM_ARRAY_TASK_ID"`)
  })
})
