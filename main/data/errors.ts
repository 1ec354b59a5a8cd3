/**
 * The one error the data layer throws on bad input. It carries the contract's error code 'invalid-data' (the
 * services turn it into the wire error), but data knows nothing of the wire; the message is written for the
 * researcher who dropped the file, not for us.
 */
export class DataError extends Error {
  readonly code = 'invalid-data' as const
  /** 1-based line of the source file the problem is on, when there is one. */
  readonly line?: number
  readonly details?: string[]

  constructor(message: string, opts: { line?: number; details?: string[] } = {}) {
    super(message)
    this.name = 'DataError'
    this.line = opts.line
    this.details = opts.details
  }
}

/** Turns a filesystem error on `path` into a DataError the user can act on; anything else is rethrown. */
export function fsError(err: unknown, path: string, what = 'file'): never {
  if (err instanceof DataError) throw err
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  switch (code) {
    case 'ENOENT':
      throw new DataError(`The ${what} "${path}" does not exist (it may have been moved or deleted).`)
    case 'EACCES':
    case 'EPERM':
      throw new DataError(`The ${what} "${path}" cannot be read: permission denied.`)
    case 'EISDIR':
      throw new DataError(`"${path}" is a folder, but a ${what} was expected.`)
    case 'ENOTDIR':
      throw new DataError(`"${path}" is not a folder.`)
    case 'EMFILE':
    case 'ENFILE':
      throw new DataError(`Too many open files while reading "${path}"; close other programs and retry.`)
    case 'EIO':
      throw new DataError(`The ${what} "${path}" could not be read (input/output error on the disk).`)
  }
  throw err
}
