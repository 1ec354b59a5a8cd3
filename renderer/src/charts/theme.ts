/**
 * The ECharts theme that matches the app's naive-ui theme, and small option helpers every chart shares
 * (transparent background so charts sit on cards in light and dark mode alike).
 */
import { computed } from 'vue'
import { useOsTheme } from 'naive-ui'
import { useAppStore } from '../stores/app'

/** 'dark' when the app is dark (settings.theme, or the OS when 'auto'), else undefined (ECharts' light default). */
export function useChartTheme() {
  const app = useAppStore()
  const os = useOsTheme()
  return computed(() => {
    const pref = app.info?.settings.theme ?? 'auto'
    return pref === 'dark' || (pref === 'auto' && os.value === 'dark') ? 'dark' : undefined
  })
}

/** Options every chart starts from. */
export const chartBase = {
  backgroundColor: 'transparent',
  animation: false,
  textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' }
} as const
