/** How requests cross a door: validation against the call table, and the API as the renderer sees it. */
import { z } from 'zod'
import { Channel, EventName, EventPayload, Req, Res, calls } from './calls.ts'
import { ApiError, describeZodError, type ApiErrorShape } from './errors.ts'

/** Calls whose request is a RunConfig: their problems are named by the settings' labels. */
const SETTINGS_CHANNELS = new Set<Channel>(['runs.start', 'runs.estimate'])

/** Validates a request for `channel`; throws an ApiError naming every bad field. */
export function parseRequest<C extends Channel>(channel: C, payload: unknown): z.infer<(typeof calls)[C]['req']> {
  const spec = calls[channel]
  if (!spec) throw new ApiError('invalid-request', `Unknown channel: ${String(channel)}`)
  const r = spec.req.safeParse(payload === undefined ? {} : payload)
  if (!r.success) throw describeZodError(channel, r.error, SETTINGS_CHANNELS.has(channel) ? 'settings' : 'plain')
  return r.data as z.infer<(typeof calls)[C]['req']>
}

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name)
}

/** The API as the renderer sees it, whatever the transport. */
export interface WorkbenchApi {
  transport: 'ipc' | 'websocket'
  call<C extends Channel>(channel: C, req: Req<C>): Promise<Res<C>>
  on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void
}

/** A WebSocket call frame (JSON text); its reply carries the same id. Names of the socket: wireNames.ts. */
export interface WireRequest {
  id: number | string
  channel: string
  payload: unknown
}
/** The reply to a call frame (id null when the frame had no usable id). */
export type WireReply = { id: number | string | null } & ({ ok: true; data: unknown } | { ok: false; error: ApiErrorShape })
/** An event frame, pushed to every open socket. */
export interface WireEvent {
  event: string
  payload: unknown
}
