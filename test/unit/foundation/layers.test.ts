/**
 * The floors of main/ are a lint rule (eslint.config.js, eslint-plugin-boundaries): an import that climbs a floor,
 * or a package one floor owns used elsewhere, fails `npm run lint`. Checked here on code that breaks them.
 */
import { resolve } from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: resolve('.') })

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(file) })
  return result!.messages.filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message)
}

describe('layer rules', () => {
  it('refuse an import that climbs a floor', async () => {
    const errors = await boundaryErrors('main/data/climb.ts', "import { openStore } from '../store/index.ts'\nexport const x = openStore\n")
    expect(errors).toEqual([expect.stringMatching(/"data" to elements of type "store"/)])
    expect(
      await boundaryErrors('main/engine/climb.ts', "import { createServices } from '../services/index.ts'\nexport const x = createServices\n")
    ).toHaveLength(1)
    expect(await boundaryErrors('main/contract/climb.ts', "import { mulberry32 } from '../lib/random.ts'\nexport const x = mulberry32\n")).toHaveLength(1)
  })

  it('keep electron in app/ and better-sqlite3 in store/', async () => {
    expect(await boundaryErrors('main/services/x.ts', "import Database from 'better-sqlite3'\nexport const x = Database\n")).toEqual([
      expect.stringMatching(/better-sqlite3/)
    ])
    expect(await boundaryErrors('main/transports/x.ts', "import { app } from 'electron'\nexport const x = app\n")).toEqual([expect.stringMatching(/electron/)])
    expect(await boundaryErrors('main/store/x.ts', "import Database from 'better-sqlite3'\nexport const x = Database\n")).toEqual([])
  })

  it('allow every import down the floors', async () => {
    const code =
      "import { openStore } from '../store/index.ts'\nimport { runJob } from '../engine/pipeline.ts'\nimport { prepare } from '../data/index.ts'\nimport { RECIPES } from '../contract/index.ts'\nexport const x = [openStore, runJob, prepare, RECIPES]\n"
    expect(await boundaryErrors('main/services/down.ts', code)).toEqual([])
  })
})
