/** The `iunet` command line: the same services as the app, without a window. */
import { Command, CommanderError } from 'commander'
import { registerServe } from './serve.ts'
import { registerDatasetCommands } from './datasets.ts'
import { registerRunCommand } from './run.ts'
import { registerResumeCommand } from './resume.ts'
import { registerConfigCommand } from './config.ts'
import { registerRunsCommand } from './runs.ts'
import { registerBenchCommand } from './bench.ts'
import { registerExportCommand } from './export.ts'
import { registerPredictCommand } from './predict.ts'
import { registerStudyCommands } from './study.ts'
import { reportError } from './output.ts'

export function buildProgram(): Command {
  const program = new Command()
  program
    .name('iunet')
    .description('IUNet Workbench: unveil invariances by pruning (PIS + ILO + one-shot magnitude pruning), compared with dense and CNN/ResNet baselines')
    .showHelpAfterError()
    .exitOverride()
  registerServe(program)
  registerDatasetCommands(program)
  registerRunCommand(program)
  registerResumeCommand(program)
  registerConfigCommand(program)
  registerRunsCommand(program)
  registerBenchCommand(program)
  registerExportCommand(program)
  registerPredictCommand(program)
  registerStudyCommands(program)
  return program
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv)
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2
    return reportError(e)
  }
}
