/**
 * <VChart> as async components: ECharts (echarts/core with only the charts and components drawn, see
 * echartsSetup.ts and echartsCompare.ts) is fetched the first time a chart is shown, not with the app shell.
 * Template refs reach the inner vue-echarts component (getDataURL etc.) once it is loaded.
 */
import { defineAsyncComponent } from 'vue'

/** Bar and line charts (Datasets, Training). */
export const VChart = defineAsyncComponent(() => import('./echartsSetup').then((m) => m.VChart))
/** Everything the Compare screen draws as well: heatmaps, visual map, toolbox, SVG export. */
export const VChartCompare = defineAsyncComponent(() => import('./echartsCompare').then((m) => m.VChart))
