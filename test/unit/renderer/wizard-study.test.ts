/**
 * The wizard as a study (renderer/src/lib/wizardStudy.ts): sweeps checked by the run config's own rules, only the
 * changed settings sent, and the spec it builds expanding (through the services' own cellConfig) into cells whose
 * configs are what the wizard showed, with each grid value applied.
 */
import { describe, expect, it } from 'vitest'
import { StudySpec, type RunConfig } from '../../../main/contract/index.ts'
import { cellConfig, gridPoints } from '../../../main/contract/index.ts'
import {
  buildStudySpec,
  changedSettings,
  defaultStudyName,
  describeGrid,
  gridOf,
  parseValues,
  sharedText,
  studyPlan,
  sweepIssue
} from '../../../renderer/src/lib/wizardStudy.ts'
import { config } from './fixtures.ts'

const defaults: RunConfig = { ...config, name: undefined }

describe('wizard study', () => {
  it('parses and checks sweep values with the run config rules', () => {
    expect(parseValues('0.0625, 0.125 1')).toEqual([0.0625, 0.125, 1])
    expect(parseValues('0.1, x')).toBeNull()
    expect(sweepIssue('kappa', '0.0625, 0.125')).toBeNull()
    // The contract's words, naming the bound: never zod's "Too big: expected number to be <=1".
    expect(sweepIssue('kappa', '0.5, 2')).toBe('2: must be at most 1')
    expect(sweepIssue('kappa', '0.5, 0.5')).toBe('each value once')
    expect(sweepIssue('kappa', '')).toBe('give at least one value')
    expect(sweepIssue('depth', '1, 2.5')).toMatch(/^2\.5: /)
    expect(sweepIssue('compressions', '4, 8, 16')).toBeNull()
    expect(sweepIssue('compressions', '0.5')).toMatch(/^0\.5: /)
    // an invalid sweep stays out of the grid (the wizard blocks Start on its issue)
    expect(gridOf({ kappa: '0.125, 1', lambda: '0, -1', width: '64' })).toEqual({ kappa: [0.125, 1], width: [64] })
  })

  it('sends only what was changed from the defaults, nested groups key by key', () => {
    const edited: RunConfig = {
      ...config,
      target: 'label',
      epochs: 2,
      augment: { ...config.augment, noise: 0.1 },
      split: { ...config.split, kfold: 3 },
      kappa: 0.5
    }
    expect(changedSettings(edited, defaults)).toEqual({ epochs: 2, augment: { noise: 0.1 }, split: { kfold: 3 }, kappa: 0.5 })
    // a swept setting is in the grid, not in the settings
    expect(changedSettings(edited, defaults, ['kappa'])).toEqual({ epochs: 2, augment: { noise: 0.1 }, split: { kfold: 3 } })
    expect(changedSettings(defaults, defaults)).toEqual({})
  })

  it('builds a spec whose cells are the edited config with each grid value applied', () => {
    const edited: RunConfig = { ...config, target: 'label', epochs: 2, seeds: 2, models: ['iunet'], compressions: [4, 8] }
    const grid = gridOf({ kappa: '0.0625, 0.125', compressions: '4, 16' })
    const datasets = [
      { id: 'ds1', name: 'iris' },
      { id: 'ds2', name: 'wine' }
    ]
    const input = buildStudySpec({ name: '', datasets, config: edited, defaults, grid })
    const spec = StudySpec.parse(input)
    expect(spec.name).toBe('iris + wine · κ sweep · compression sweep')
    // several datasets: each keeps its stored target
    expect(spec.datasets).toEqual([{ id: 'ds1' }, { id: 'ds2' }])
    expect(spec).toMatchObject({
      models: ['iunet'],
      seeds: 2,
      preset: 'quick',
      settings: { epochs: 2 },
      grid: { kappa: [0.0625, 0.125], compressions: [4, 16] }
    })
    const points = gridPoints(spec.grid)
    expect(points).toHaveLength(4)
    for (const p of points) {
      const cell = cellConfig(spec, { ...defaults, datasetId: 'ds2' }, p, { id: 'ds2', name: 'wine' })
      const { name: _n, ...rest } = cell
      expect(rest).toEqual({ ...edited, name: undefined, target: undefined, datasetId: 'ds2', kappa: p.kappa, compressions: p.compressions })
    }
    const withDefaults = datasets.map((d) => ({ ...d, defaults: { ...defaults, datasetId: d.id } }))
    expect(studyPlan(spec, withDefaults)).toMatchObject({ datasets, points: 4, cells: 8, tasks: 8 * 2, shared: [] })
    // A dense MLP next to IUNet: κ and the ratio do not change it, so it trains once per dataset, not once per point.
    const both = StudySpec.parse(buildStudySpec({ name: '', datasets, config: { ...edited, models: ['iunet', 'mlp'] }, defaults, grid }))
    const p = studyPlan(both, withDefaults)
    expect(p).toMatchObject({ cells: 8, tasks: 2 * (4 + 1) * 2, shared: [{ model: 'mlp', perDataset: 1 }] })
    expect(sharedText(p.shared)).toBe('Dense MLP trains once per dataset: no swept setting changes it.')
    expect(describeGrid(grid)).toBe('κ ∈ {0.0625, 0.125} × compression ∈ {4, 16}')
    // one dataset: the chosen target goes with it
    expect(buildStudySpec({ name: 'x', datasets: datasets.slice(0, 1), config: edited, defaults, grid }).datasets).toEqual([{ id: 'ds1', target: 'label' }])
    expect(defaultStudyName([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }], {})).toBe('4 datasets')
  })
})
