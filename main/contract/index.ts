/**
 * The contract every layer shares: the wire schemas of every call, event and error (schemas.ts), and the
 * facts that more than one layer needs (the model-recipe table, the arrays a prepared dataset hands the engine).
 * Imports nothing of the app: main, preload and renderer all import it.
 */
export * from './schemas.ts'
export * from './recipes.ts'
export * from './prepared.ts'
