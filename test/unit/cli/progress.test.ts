/** `iunet run` progress: plain lines when the output is not a terminal, a live display (cli-progress) when it is. */
import { describe, expect, it } from 'vitest'
import { PassThrough } from 'node:stream'
import type { RunProgress } from '../../../main/contract/index.ts'
import { createProgress } from '../../../main/cli/progress.ts'

function stream(tty: boolean) {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number }
  if (tty) {
    s.isTTY = true
    s.columns = 120
  }
  let text = ''
  s.on('data', (c) => (text += c.toString()))
  return { s, text: () => text }
}

const event = (model: 'iunet' | 'mlp', seed: number, epoch: number, runProgress: number, fold?: number): RunProgress => ({
  runId: 'r1',
  model,
  seed,
  ...(fold === undefined ? {} : { fold }),
  compression: model === 'iunet' ? 8 : 1,
  phase: 'supernet',
  epoch,
  totalEpochs: 3,
  runProgress,
  etaSeconds: 12,
  metrics: {
    model,
    seed,
    ...(fold === undefined ? {} : { fold }),
    compression: 1,
    phase: 'supernet',
    epoch,
    trainLoss: 1,
    trainAccuracy: 0.5,
    valLoss: 1,
    valAccuracy: 0.75,
    contrastiveLoss: null,
    seconds: 0.1
  }
})

describe('CLI progress', () => {
  it('not a terminal: the plain format, one line per task and epoch (repeats dropped)', () => {
    const { s, text } = stream(false)
    const p = createProgress({ out: s })
    p.log('run r1 · iris')
    p.update(event('iunet', 0, 1, 0.1))
    p.update(event('iunet', 0, 1, 0.1))
    p.update(event('mlp', 0, 1, 0.2))
    p.stop()
    expect(text()).toBe(
      'run r1 · iris\n' +
        '[ 10%] IUNet (pruned) · seed 0 · supernet 1/3 · val acc 75.0 % · eta 12 s\n' +
        '[ 20%] Dense MLP · seed 0 · supernet 1/3 · val acc 75.0 % · eta 12 s\n'
    )
  })

  it('a terminal: one live bar per task redrawn in place, not a line per epoch', async () => {
    const { s, text } = stream(true)
    const p = createProgress({ out: s })
    p.log('run r1 · iris')
    for (let e = 1; e <= 3; e++) {
      p.update(event('iunet', 0, e, e / 6))
      p.update(event('mlp', 0, e, 0.5 + e / 6))
    }
    await new Promise((r) => setTimeout(r, 150))
    p.stop()
    const out = text()
    expect(out).toContain('run r1 · iris')
    expect(out).toMatch(/IUNet \(pruned\) · seed 0 .*supernet 3\/3 .*val acc 75\.0 %/)
    expect(out).toMatch(/Dense MLP · seed 0/)
    expect(out).toContain('\u001b[') // cursor control: redrawn in place
    expect(out).not.toContain('[ 10%] IUNet') // no plain lines
  })

  it('k-fold, not a terminal: each fold is its own task, named "fold f/k", never a repeat of the seed', () => {
    const { s, text } = stream(false)
    const p = createProgress({ out: s, run: { split: { kfold: 3 } } })
    for (let f = 0; f < 3; f++) p.update(event('mlp', 0, 1, (f + 1) / 10, f))
    p.update(event('mlp', 0, 1, 0.3, 2)) // a repeat of fold 3's epoch 1: dropped
    p.stop()
    expect(text()).toBe(
      '[ 10%] Dense MLP · seed 0 · fold 1/3 · supernet 1/3 · val acc 75.0 % · eta 12 s\n' +
        '[ 20%] Dense MLP · seed 0 · fold 2/3 · supernet 1/3 · val acc 75.0 % · eta 12 s\n' +
        '[ 30%] Dense MLP · seed 0 · fold 3/3 · supernet 1/3 · val acc 75.0 % · eta 12 s\n'
    )
  })

  it('k-fold, a terminal: one bar per fold', async () => {
    const { s, text } = stream(true)
    const p = createProgress({ out: s, run: { split: { kfold: 3 } } })
    for (let f = 0; f < 3; f++) p.update(event('mlp', 1, 2, 0.5, f))
    await new Promise((r) => setTimeout(r, 150))
    p.stop()
    const out = text()
    for (let f = 1; f <= 3; f++) expect(out).toMatch(new RegExp(`Dense MLP · seed 1 · fold ${f}/3 .*supernet 2/3`))
  })

  it('quiet: only the log lines', () => {
    const { s, text } = stream(true)
    const p = createProgress({ out: s, quiet: true })
    p.update(event('iunet', 0, 1, 0.1))
    p.log('done')
    p.stop()
    expect(text()).toBe('done\n')
  })
})
