#!/usr/bin/env node
// The iunet command. It runs the TypeScript sources through tsx, so it works right after `npm install`
// without a build step.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../main/cli/iunet.ts')
process.exitCode = await main(process.argv)
