/** The desktop app's GPU training worker (a hidden page behind the worker protocol), for main/app to build. */
export { BrowserWorker, type PagePort } from '../workers/browserWorker.ts'
