#!/usr/bin/env node
// The iunet command. It runs the TypeScript sources without a build step: from a bundle built on the first start
// after a change (bin/bundle.mjs), or through tsx when bundling is off or impossible.
import { pathToFileURL } from 'node:url'
import { bundledCli } from './bundle.mjs'

const bundle = bundledCli()
let main
if (bundle) ({ main } = await import(pathToFileURL(bundle).href))
else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import('../main/cli/iunet.ts'))
}
process.exitCode = await main(process.argv)
