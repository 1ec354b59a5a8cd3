/** Errors on the wire: a code that tells the UI what kind of fix to offer, and sentences naming each bad field. */
import { z } from 'zod'
import { issueSentence } from './issues.ts'

/** Errors cross the wire as this shape; `code` tells the UI what kind of fix to offer. */
export const ApiErrorShape = z.object({
  code: z.enum(['invalid-request', 'invalid-data', 'not-found', 'conflict', 'cancelled', 'internal']),
  message: z.string(),
  details: z.array(z.string()).optional()
})
export type ApiErrorShape = z.infer<typeof ApiErrorShape>

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorShape['code'],
    message: string,
    readonly details?: string[]
  ) {
    super(message)
    this.name = 'ApiError'
  }
  toJSON(): ApiErrorShape {
    return { code: this.code, message: this.message, details: this.details }
  }
}

/**
 * Turns a zod failure into one sentence per problem, naming the field ("Epochs must be at least 1."); with
 * `labels: 'settings'` the paths are RunConfig settings and are named by their labels.
 */
export function describeZodError(channel: string, error: z.ZodError, labels: 'settings' | 'plain' = 'plain'): ApiError {
  const details = error.issues.map((i) => issueSentence(i, labels))
  return new ApiError('invalid-request', `Invalid request for ${channel}: ${details.join(' ')}`, details)
}
