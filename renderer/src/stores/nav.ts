/** Which section is shown; mirrored in the URL hash so reloads and links keep the place. */
import { defineStore } from 'pinia'
import { ref } from 'vue'

export type Section = 'datasets' | 'new-run' | 'runs' | 'compare'
export const SECTIONS: { key: Section; label: string }[] = [
  { key: 'datasets', label: 'Datasets' },
  { key: 'new-run', label: 'New run' },
  { key: 'runs', label: 'Runs' },
  { key: 'compare', label: 'Compare' }
]

function fromHash(): Section {
  const h = location.hash.replace(/^#\/?/, '').split('?')[0] as Section
  return SECTIONS.some((s) => s.key === h) ? h : 'datasets'
}

export const useNavStore = defineStore('nav', () => {
  const section = ref<Section>(fromHash())
  window.addEventListener('hashchange', () => (section.value = fromHash()))
  function go(s: Section) {
    section.value = s
    if (fromHash() !== s) location.hash = `#/${s}`
  }
  return { section, go }
})
