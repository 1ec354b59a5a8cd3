/** A typed event bus: services emit, transports forward to every connected renderer. */
import type { EventName, EventPayload } from '../contract/index.ts'

type AnyHandler = (event: EventName, payload: unknown) => void

export class EventBus {
  private handlers = new Set<AnyHandler>()

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const h of this.handlers) {
      try {
        h(event, payload)
      } catch {
        // A broken listener (a closed socket) must not stop training or other listeners.
      }
    }
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(handler: AnyHandler): () => void {
    this.handlers.add(handler)
    return () => this.handlers.delete(handler)
  }
}
