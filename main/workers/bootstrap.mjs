// Runs the TypeScript worker when the app runs from source (CLI, server, tests): Node's Worker cannot load .ts
// itself, and --import in a worker's execArgv is not applied on Node 20, so the tsx loader is registered here.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
