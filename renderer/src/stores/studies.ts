/**
 * Studies: the list, the selected study's cells and analysis (with the baseline the user picked), and stopping or
 * resuming one. Kept fresh by `studies.changed`.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ModelKind, StudyDetail, StudySummary } from '@contract'
import { api } from '../api/client'

export const useStudiesStore = defineStore('studies', () => {
  const list = ref<StudySummary[]>([])
  const detail = ref<StudyDetail | null>(null)
  /** The study shown (null: the newest), and the baseline its tests are against (null: the study's own). */
  const selectedId = ref<string | null>(null)
  const baseline = ref<ModelKind | null>(null)
  const error = ref<string | null>(null)
  const loaded = ref(false)
  /** The control call in flight (stop or resume), for the buttons' spinners. */
  const busy = ref<'studies.cancel' | 'studies.resume' | null>(null)

  const shownId = () => selectedId.value ?? list.value[0]?.id ?? null

  async function refresh() {
    try {
      list.value = await api.call('studies.list', {})
      loaded.value = true
      await load()
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  let token = 0
  async function load() {
    const id = shownId()
    const t = ++token
    if (!id) return void (detail.value = null)
    try {
      const d = await api.call('studies.get', { id, ...(baseline.value ? { baseline: baseline.value } : {}) })
      if (t !== token) return
      detail.value = d
      error.value = null
    } catch (e) {
      if (t === token) error.value = (e as Error).message
    }
  }

  /** Shows another study (its own baseline first). */
  function select(id: string | null) {
    if (id === selectedId.value) return
    selectedId.value = id
    baseline.value = null
    void load()
  }

  function setBaseline(m: ModelKind | null) {
    baseline.value = m
    void load()
  }

  /** Stop (no further cells start, cells training now are cancelled) or train the unfinished cells again. */
  async function control(method: 'studies.cancel' | 'studies.resume') {
    const id = detail.value?.id
    if (!id || busy.value) return
    busy.value = method
    try {
      await api.call(method, { id })
      await refresh()
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      busy.value = null
    }
  }

  // Only once the screen has asked: a study changing elsewhere need not load anything before then.
  api.on('studies.changed', () => void (loaded.value && refresh()))
  return { list, detail, selectedId, baseline, error, loaded, busy, shownId, refresh, load, select, setBaseline, control }
})
