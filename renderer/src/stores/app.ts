/** App-wide facts from main: version, data folder, backend, settings, bench figures; and saving settings. */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AppInfo, BackendChoice, Settings } from '@contract'
import { api } from '../api/client'

export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null)
  const error = ref<string | null>(null)
  const loading = ref(false)

  async function load() {
    loading.value = true
    try {
      info.value = await api.call('app.info', {})
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loading.value = false
    }
  }

  /** Shown at once, saved for every window and the next start; put back (and thrown) when saving fails. */
  async function setTheme(theme: Settings['theme']) {
    if (!info.value || theme === info.value.settings.theme) return
    const before = info.value.settings
    info.value.settings = { ...before, theme }
    try {
      info.value.settings = await api.call('settings.set', { theme })
    } catch (e) {
      info.value.settings = before
      throw e
    }
  }

  /** New tasks train on the new backend and worker count; the answer (app.info) says what is actually in use. */
  async function setBackend(backend: BackendChoice, workers: number) {
    try {
      await api.call('settings.set', { backend, workers })
    } finally {
      await load()
    }
  }

  return { info, error, loading, load, setTheme, setBackend }
})
