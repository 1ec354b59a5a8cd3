/**
 * A training worker thread: owns one tfjs backend, runs one task at a time and streams progress to main, through
 * the job host shared with the browser GPU page (jobHost.ts) and the Node adapter (nodeHost.ts). Cancellation
 * arrives through a shared flag, because a training loop that never yields would not see a message.
 */
import { parentPort } from 'node:worker_threads'
import { serveJobs } from './jobHost.ts'
import { nodeHostAdapter } from './nodeHost.ts'
import type { TrainTask } from './protocol.ts'

const port = parentPort
if (!port) throw new Error('train.worker must run in a worker thread')

serveJobs<TrainTask>({ send: (m, transfer = []) => port.postMessage(m, transfer), onMessage: (listener) => port.on('message', listener) }, nodeHostAdapter())
