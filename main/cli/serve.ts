/** `iunet serve`: the workbench in a browser, served from this machine (or a remote box through an SSH tunnel). */
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { appRoot } from '../services/paths.ts'
import { dataDirOption } from './shared.ts'

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('serve the workbench UI and API on 127.0.0.1 (needs "npm run build" once for the UI)')
    .option('-p, --port <port>', 'port (0 = any free port)', '5199')
    .option('--token <token>', 'access token (default: random, printed)')
    .option('--workers <n>', 'training workers (default: one per CPU core)')
    .option('--allow-dir <dirs...>', 'folders whose files the API may inspect and import, besides the data folder (with its uploads) and the bundled examples')
    .option('--max-upload-mb <mb>', 'largest file a browser may upload, in MB', '4096')
    .addOption(dataDirOption())
    .action(async (o: { port: string; token?: string; workers?: string; dataDir: string; allowDir?: string[]; maxUploadMb: string }) => {
      // A promise nobody awaited must not take the server (and its running trainings) down: log it and go on.
      process.on('unhandledRejection', (e) =>
        process.stderr.write(`iunet serve: unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
      )
      const maxUploadMb = Number(o.maxUploadMb)
      if (!(maxUploadMb > 0)) throw new Error(`--max-upload-mb must be a positive number of MB, got "${o.maxUploadMb}".`)
      const { createServices } = await import('../services/index.ts')
      const { startServer } = await import('../transports/server.ts')
      // Whoever holds the token may name paths: only files under these folders (real paths) can be read.
      const allow = [resolve(o.dataDir), ...(o.allowDir ?? []).map((d) => resolve(d))]
      const services = createServices({
        dataDir: o.dataDir,
        transport: 'websocket',
        workers: o.workers ? Number(o.workers) : undefined,
        fileAccess: { allow },
        maxUploadBytes: maxUploadMb * 1024 * 1024
      })
      const server = await startServer(services, { rendererDir: join(appRoot(), 'out', 'renderer'), port: Number(o.port), token: o.token })
      process.stdout.write(
        `IUNet Workbench is serving on 127.0.0.1:${server.port}\nOpen: ${server.url}\nData folder: ${o.dataDir}\nReadable folders: ${allow.join(', ')}\nPress Ctrl+C to stop.\n`
      )
      const stop = async () => {
        await server.close()
        await services.close()
        process.exit(0)
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      await new Promise(() => undefined)
    })
}
