/**
 * Names both ends of a door must spell alike: Electron IPC channels, the global the preload exposes, the WebSocket's
 * path and token parameter, and the renderer's content security policy (the GPU page's port names: gpuPort.ts).
 * Imports nothing at all: the sandboxed main-window preload bundles this file (it may not require app modules at run
 * time, nor a chunk shared with the other preload: so the two preloads import disjoint contract files).
 */

/** IPC: every call goes through one invoke channel, every event through one send channel. */
export const IPC_CALL = 'iunet:call'
export const IPC_EVENT = 'iunet:event'

/** Name of the global the preload exposes in Electron (the renderer's API bridge). */
export const PRELOAD_GLOBAL = 'iunet'

/** The server's WebSocket path. */
export const WS_PATH = '/ws'
/** The query parameter that carries the server's session token (in the page's address and the socket's). */
export const TOKEN_PARAM = 'token'

/**
 * The renderer's content security policy, one directive per entry. Main sends it as a response header (the desktop
 * window's session, the server); the HTML files carry it as a <meta> tag (a page loaded from disk gets no header),
 * written at build time from here (cspMeta).
 */
const CSP_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'"
]
export const CSP = CSP_DIRECTIVES.join('; ')

/** The GPU-training page runs scripts only: no styles, images or fonts. */
export const GPU_TRAINER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'"
].join('; ')

/** A policy as a <meta> tag may carry it: browsers ignore frame-ancestors there (and warn), so it is left out. */
export function cspMeta(policy: string): string {
  return policy
    .split('; ')
    .filter((d) => !d.startsWith('frame-ancestors'))
    .join('; ')
}
