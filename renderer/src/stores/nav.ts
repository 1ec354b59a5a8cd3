/**
 * Which section is shown and its parameter (e.g. a run id), read from vue-router's current route; `go` navigates.
 * A thin facade so views and stores speak in sections rather than paths.
 */
import { defineStore } from 'pinia'
import { computed } from 'vue'
import { router, type Section } from '../router'

export { SECTIONS, type Section } from '../router'

export const useNavStore = defineStore('nav', () => {
  const route = router.currentRoute
  const section = computed<Section>(() => (typeof route.value.name === 'string' ? (route.value.name as Section) : 'datasets'))
  /** e.g. the run id of the training view, or the dataset id preselected in the wizard. */
  const param = computed<string | null>(() => {
    const p = route.value.params.param
    return typeof p === 'string' && p ? p : null
  })
  function go(s: Section, p: string | null = null) {
    void router.push(p ? { name: s, params: { param: p } } : { name: s })
  }
  return { section, param, go }
})
