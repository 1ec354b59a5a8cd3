/** Which section is shown (and its parameter, e.g. a run id); mirrored in the URL hash so reloads keep the place. */
import { defineStore } from 'pinia'
import { ref } from 'vue'

export type Section = 'datasets' | 'new-run' | 'training' | 'runs' | 'compare'
/** Sections in the side menu; 'training' (a run's live view) is reached from a run. */
export const SECTIONS: { key: Section; label: string }[] = [
  { key: 'datasets', label: 'Datasets' },
  { key: 'new-run', label: 'New run' },
  { key: 'runs', label: 'Runs' },
  { key: 'compare', label: 'Compare' }
]
const ALL: Section[] = ['datasets', 'new-run', 'training', 'runs', 'compare']

function fromHash(): { section: Section; param: string | null } {
  const [head, param] = location.hash.replace(/^#\/?/, '').split('/')
  const section = ALL.includes(head as Section) ? (head as Section) : 'datasets'
  return { section, param: param ? decodeURIComponent(param) : null }
}

export const useNavStore = defineStore('nav', () => {
  const start = fromHash()
  const section = ref<Section>(start.section)
  /** e.g. the run id of the training view, or the dataset id preselected in the wizard. */
  const param = ref<string | null>(start.param)
  window.addEventListener('hashchange', () => {
    const h = fromHash()
    section.value = h.section
    param.value = h.param
  })
  function go(s: Section, p: string | null = null) {
    section.value = s
    param.value = p
    const hash = `#/${s}${p ? `/${encodeURIComponent(p)}` : ''}`
    if (location.hash !== hash) location.hash = hash
  }
  return { section, param, go }
})
