/**
 * ECharts, registered once with only the parts the workbench draws (tree-shaken), and vue-echarts' <VChart>.
 * Canvas for on-screen charts; the SVG renderer is registered too so charts can be exported as SVG.
 * Never imported statically from the shell: components get <VChart> through './echarts' (an async component),
 * so ECharts is its own chunk, fetched the first time a chart is drawn.
 */
import { use } from 'echarts/core'
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers'
import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts'
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  ToolboxComponent,
  TooltipComponent,
  VisualMapComponent
} from 'echarts/components'
import VChart from 'vue-echarts'

use([
  CanvasRenderer,
  SVGRenderer,
  BarChart,
  HeatmapChart,
  LineChart,
  ScatterChart,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  ToolboxComponent,
  TooltipComponent,
  VisualMapComponent
])

export { VChart }
export { init } from 'echarts/core'
