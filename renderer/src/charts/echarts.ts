/**
 * <VChart> as an async component: ECharts (echarts/core with only the charts and components the workbench
 * draws, see echartsSetup.ts) is fetched the first time a chart is shown, not with the app shell.
 * Template refs reach the inner vue-echarts component (getDataURL etc.) once it is loaded.
 */
import { defineAsyncComponent } from 'vue'

export const VChart = defineAsyncComponent(() => import('./echartsSetup').then((m) => m.VChart))
