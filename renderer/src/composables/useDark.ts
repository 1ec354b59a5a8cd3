/** Whether the dark theme is on: the saved setting, or the OS preference when it is "auto". */
import { computed } from 'vue'
import { useOsTheme } from 'naive-ui'
import { useAppStore } from '../stores/app'

export function useDark() {
  const app = useAppStore()
  const os = useOsTheme()
  return computed(() => {
    const pref = app.info?.settings.theme ?? 'auto'
    return pref === 'dark' || (pref === 'auto' && os.value === 'dark')
  })
}
