/**
 * ECharts core with only what the Datasets and Training charts draw (tree-shaken): canvas, bar and line charts,
 * grid, legend, tooltip, title and mark lines; and vue-echarts' <VChart>. The Compare screen adds its extras in
 * echartsCompare.ts. Never imported statically from the shell: components get <VChart> through './echarts'
 * (async components), so ECharts is its own chunk, fetched the first time a chart is drawn.
 */
import { use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { BarChart, LineChart } from 'echarts/charts'
import { GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components'
import VChart from 'vue-echarts'

use([CanvasRenderer, BarChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent])

export { VChart }
