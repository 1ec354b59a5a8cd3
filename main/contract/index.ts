/**
 * The contract every layer shares: the wire schemas of every call, event and error, split by domain, and the facts
 * more than one layer needs (the model-recipe table, a run's shape, the arrays a prepared dataset hands the engine).
 * Imports nothing of the app, and nothing of Node or the DOM: main, preload and renderer all import it.
 */
export * from './datasets.ts'
export * from './runConfig.ts'
export * from './results.ts'
export * from './app.ts'
export * from './studies.ts'
export * from './calls.ts'
export * from './errors.ts'
export * from './wire.ts'
export * from './wireNames.ts'
export * from './gpuPort.ts'
export * from './recipes.ts'
export * from './prepared.ts'
export * from './runShape.ts'
export * from './presets.ts'
export * from './studyPlan.ts'
export * from './issues.ts'
export * from './runRules.ts'
export * from './cdDiagram.ts'
export * from './connectivity.ts'
export * from './format.ts'
export * from './csv.ts'
export * from './vision.ts'
