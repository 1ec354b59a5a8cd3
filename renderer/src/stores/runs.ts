/** The runs list, kept fresh by status events. */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { RunSummary } from '@contract'
import { api } from '../api/client'

export const useRunsStore = defineStore('runs', () => {
  const list = ref<RunSummary[]>([])
  const loaded = ref(false)
  const error = ref<string | null>(null)

  async function refresh() {
    try {
      list.value = await api.call('runs.list', {})
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loaded.value = true
    }
  }
  api.on('runs.changed', () => void refresh())
  return { list, loaded, error, refresh }
})
