/**
 * `iunet run` → `iunet export` → `iunet predict` on a tabular dataset (iris) with tiny settings: the bundle's ONNX file
 * in onnxruntime-node gives the app's probabilities within 1e-5, the tfjs weights manifest decodes with tfjs-core,
 * and bad input files exit with code 2 and a clear message.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkBundle, iunet, tmp, train, useCpu } from './roundtrip-helpers.ts'

describe('export and predict round trip', () => {
  beforeAll(useCpu)

  it('tabular (iris): iunet pruned ×4 and the dense MLP', async () => {
    const dataDir = join(tmp, 'tab')
    const runId = train(dataDir, [
      '--data',
      'resources/examples/iris.csv',
      '--models',
      'iunet,mlp',
      '--epochs',
      '4',
      '--finetune-epochs',
      '3',
      '--compression',
      '4',
      '--width',
      '16',
      '--depth',
      '2'
    ])
    // Every trained (model, seed, ratio) keeps its weights.
    const stored = readdirSync(join(dataDir, 'runs', runId, 'models')).sort()
    expect(stored).toEqual(['iunet__seed0__r4', 'iunet__seed1__r4', 'mlp__seed0__r1', 'mlp__seed1__r1'])
    for (const [model, ratio] of [
      ['iunet', '4'],
      ['mlp', '1']
    ]) {
      const bundle = join(tmp, `tab-${model}`)
      const e = iunet('export', '--run', runId.slice(0, 8), '--model', model, '--seed', '1', '--ratio', ratio, '--out', bundle, '--data-dir', dataDir)
      expect(e.status, e.stderr).toBe(0)
      const predictions = join(tmp, `tab-${model}.csv`)
      const p = iunet('predict', '--model', bundle, '--data', 'resources/examples/iris.csv', '--out', predictions, '--data-dir', dataDir)
      expect(p.status, p.stderr).toBe(0)
      const { pre, pred } = await checkBundle(bundle, 'resources/examples/iris.csv', predictions)
      expect(pre.inputColumns).toEqual(['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'])
      // Trained weights, not the initial ones: the dense MLP (9 epochs) gets most iris rows right. (IUNet's tiny
      // budget here leaves it near chance; its agreement with the app is what the ONNX check above covers.)
      const truth = readFileSync('resources/examples/iris.csv', 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(',').at(-1))
      if (model === 'mlp') expect(pred.rows.filter((r, i) => r[0] === truth[i]).length / truth.length).toBeGreaterThan(0.5)
      const card = readFileSync(join(bundle, 'card.md'), 'utf8')
      expect(card).toMatch(/accuracy \| \d+\.\d % \| \d+\.\d ± \d+\.\d % \(n = 2\)/)
      expect(card).toMatch(/non-zero/)
    }
    // Bad input: a missing column and a value of the wrong type → exit 2 and a message naming the problem.
    const missing = join(tmp, 'missing.csv')
    writeFileSync(missing, 'sepal length (cm),sepal width (cm),petal length (cm)\n5.1,3.5,1.4\n')
    const m = iunet('predict', '--model', join(tmp, 'tab-mlp'), '--data', missing, '--data-dir', dataDir)
    expect(m.status).toBe(2)
    expect(m.stderr).toMatch(/lacks 1 column.*"petal width \(cm\)"/)
    const wrong = join(tmp, 'wrong.csv')
    writeFileSync(wrong, 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n5.1,3.5,1.4,wide\n')
    const w = iunet('predict', '--model', join(tmp, 'tab-mlp'), '--data', wrong, '--data-dir', dataDir)
    expect(w.status).toBe(2)
    expect(w.stderr).toMatch(/row 1, column "petal width \(cm\)": "wide" is not a number/)
    expect(w.stderr).not.toMatch(/\n\s+at /)
    // An unknown model / ratio is a clear error too.
    const bad = iunet('export', '--run', runId, '--model', 'iunet', '--ratio', '16', '--out', join(tmp, 'x'), '--data-dir', dataDir)
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/no ratio 16; stored ratios: 4/)
  })
})
