/** Types of bin/bundle.mjs (the CLI's bundle, built once per change of the sources). */
export declare const BUNDLE_DIR: string
/** A hash of every file under `dir` (default: main/): path, size, modification time. */
export declare function fingerprint(dir?: string): string
/** The bundled CLI's entry file for the sources as they are now (built when missing), or null. */
export declare function bundledCli(): string | null
