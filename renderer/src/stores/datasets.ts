/** The stored datasets and the bundled examples. */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { DatasetSummary, ExampleDataset } from '@contract'
import { api } from '../api/client'

export const useDatasetsStore = defineStore('datasets', () => {
  const list = ref<DatasetSummary[]>([])
  const examples = ref<ExampleDataset[]>([])
  const loaded = ref(false)
  const error = ref<string | null>(null)

  async function refresh() {
    try {
      ;[list.value, examples.value] = await Promise.all([api.call('datasets.list', {}), api.call('datasets.examples', {})])
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loaded.value = true
    }
  }
  api.on('datasets.changed', () => void refresh())
  return { list, examples, loaded, error, refresh }
})
