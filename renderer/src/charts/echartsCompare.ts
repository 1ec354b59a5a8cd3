/**
 * What only the Compare screen draws, on top of echartsSetup.ts: confusion heatmaps (heatmap + visual map), the
 * toolbox's PNG button, and the SVG renderer for SVG downloads and the HTML report (offscreen `init`).
 */
import { use } from 'echarts/core'
import { SVGRenderer } from 'echarts/renderers'
import { HeatmapChart } from 'echarts/charts'
import { ToolboxComponent, VisualMapComponent } from 'echarts/components'
import { VChart } from './echartsSetup'

use([SVGRenderer, HeatmapChart, ToolboxComponent, VisualMapComponent])

export { VChart }
export { init } from 'echarts/core'
