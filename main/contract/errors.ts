/** Errors on the wire: a code that tells the UI what kind of fix to offer, and sentences naming each bad field. */
import { z } from 'zod'

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

/** Turns a zod failure into one readable sentence per problem, naming the field. */
export function describeZodError(channel: string, error: z.ZodError): ApiError {
  const details = error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(payload)'}: ${i.message}`)
  return new ApiError('invalid-request', `Invalid request for ${channel}: ${details.join('; ')}`, details)
}
