/**
 * Ctrl-C / SIGTERM during training: every active run saves a checkpoint and stops as `interrupted`
 * (resumable with `iunet resume`), instead of dying as `failed`. A second signal exits at once.
 */
export function interruptOnSignals(services: { interruptAll(): Promise<void> }): () => void {
  let stopping = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`\n${signal} again: exiting without waiting (the last periodic checkpoint is kept)\n`)
      process.exit(130)
    }
    stopping = true
    process.stderr.write(`\n${signal}: saving checkpoints and stopping… (press Ctrl-C again to exit at once)\n`)
    void services.interruptAll()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return () => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
