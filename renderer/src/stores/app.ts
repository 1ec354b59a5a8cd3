/** App-wide facts from main: version, data folder, backend, settings, bench figures; and the connection state. */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AppInfo } from '@contract'
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
  return { info, error, loading, load }
})
