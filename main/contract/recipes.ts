/**
 * What each comparison row (model kind) does, in one table: the engine runs it, the services and the renderer
 * count its progress from it, and the wizard's estimate prices it. See shared/iunet-method.md.
 */
import type { ModelKind, RunConfig } from './runConfig.ts'

export type Arch = 'mlp' | 'cnn' | 'resnet'
export type TrainPhase = 'supernet' | 'finetune' | 'train'

export interface PhaseRecipe {
  phase: TrainPhase
  /** Which epoch budget of the run config the phase trains for ('total' = epochs + finetuneEpochs). */
  epochs: 'epochs' | 'finetuneEpochs' | 'total'
  /** ILO = CE + λ·NT-Xent between two views; CE = cross-entropy only. */
  loss: 'ilo' | 'ce'
  /** Repeated once per compression ratio (finetuning after OMP). */
  perRatio: boolean
  /** Forward rows per input in one step: the supervised batch plus, with ILO, two augmented views. */
  passesPerStep: number
}

export interface Recipe {
  arch: Arch
  /** PIS: θ_M(0) = κ·θ† on weight matrices. */
  pis: boolean
  /** The supernet (or the model, when not pruned) trains with ILO. */
  ilo: boolean
  /** OMP → rewind to θ† → finetune. */
  prune: boolean
  phases: readonly PhaseRecipe[]
}

const ILO_PASSES = 3

function recipe(arch: Arch, pis: boolean, ilo: boolean, prune: boolean): Recipe {
  const loss = ilo ? 'ilo' : 'ce'
  const passesPerStep = ilo ? ILO_PASSES : 1
  const phases: PhaseRecipe[] = prune
    ? [
        { phase: 'supernet', epochs: 'epochs', loss, perRatio: false, passesPerStep },
        // Finetuning is CE only, whatever the supernet's loss.
        { phase: 'finetune', epochs: 'finetuneEpochs', loss: 'ce', perRatio: true, passesPerStep: 1 }
      ]
    : // Unpruned rows get the same total budget in one phase.
      [{ phase: 'train', epochs: 'total', loss, perRatio: false, passesPerStep }]
  return { arch, pis, ilo, prune, phases }
}

/** The comparison table of shared/iunet-method.md. */
export const RECIPES: Readonly<Record<ModelKind, Recipe>> = {
  iunet: recipe('mlp', true, true, true),
  mlp: recipe('mlp', false, false, false),
  cnn: recipe('cnn', false, false, false),
  resnet: recipe('resnet', false, false, false),
  omp: recipe('mlp', false, false, true),
  'no-pis': recipe('mlp', false, true, true),
  'no-ilo': recipe('mlp', true, false, true),
  'iunet-noprune': recipe('mlp', true, true, false)
}

type EpochBudget = Pick<RunConfig, 'epochs' | 'finetuneEpochs'>

/** Epochs one phase trains for. */
export function phaseEpochs(p: PhaseRecipe, c: EpochBudget): number {
  return p.epochs === 'epochs' ? c.epochs : p.epochs === 'finetuneEpochs' ? c.finetuneEpochs : c.epochs + c.finetuneEpochs
}

/** The phase recipe of `phase` for a model kind, or undefined when the kind has no such phase. */
export function phaseOf(model: ModelKind, phase: string): PhaseRecipe | undefined {
  return RECIPES[model].phases.find((p) => p.phase === phase)
}

/** The one place κ is chosen: the PIS scale of a model kind's initial weights (1 = the standard init θ†). */
export function initScale(model: ModelKind, c: Pick<RunConfig, 'kappa'>): number {
  return RECIPES[model].pis ? c.kappa : 1
}
