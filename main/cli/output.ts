/** Shared CLI helpers: turning errors into one clear line and exit code, and tables (numbers: contract/format.ts). */
import { ApiError } from '../contract/index.ts'

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2
  ) {
    super(message)
  }
}

/** Prints an error the way a user should see it (no stack trace for expected problems) and returns the exit code. */
export function reportError(e: unknown): number {
  if (e instanceof CliError) {
    process.stderr.write(`error: ${e.message}\n`)
    return e.exitCode
  }
  const code = (e as { code?: string }).code
  if (e instanceof ApiError || (typeof code === 'string' && ['invalid-data', 'invalid-request', 'not-found', 'conflict'].includes(code))) {
    process.stderr.write(`error: ${(e as Error).message}\n`)
    return 2
  }
  process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
  return 1
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}
