/** Key → JSON settings, with defaults for anything never saved. */
import { BenchFigures, Settings } from '../contract/index.ts'
import type { Db } from './db.ts'

export const DEFAULT_SETTINGS: Settings = { backend: 'auto', workers: 0, theme: 'auto' }

export function settingsRepo(db: Db) {
  const get = db.prepare<[string], { value_json: string }>('SELECT value_json FROM settings WHERE key = ?')
  const put = db.prepare('INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json')
  return {
    settings(): Settings {
      const raw = get.get('settings')
      // A settings row from an older build may lack fields: fill them from the defaults.
      const parsed = Settings.safeParse({ ...DEFAULT_SETTINGS, ...(raw ? JSON.parse(raw.value_json) : {}) })
      return parsed.success ? parsed.data : DEFAULT_SETTINGS
    },
    saveSettings(patch: Partial<Settings>): Settings {
      const next = Settings.parse({ ...this.settings(), ...patch })
      put.run('settings', JSON.stringify(next))
      return next
    },
    bench(): BenchFigures | null {
      const raw = get.get('bench')
      if (!raw) return null
      const parsed = BenchFigures.safeParse(JSON.parse(raw.value_json))
      return parsed.success ? parsed.data : null
    },
    saveBench(b: BenchFigures) {
      put.run('bench', JSON.stringify(b))
    }
  }
}
export type SettingsRepo = ReturnType<typeof settingsRepo>
