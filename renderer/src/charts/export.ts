/**
 * Chart exports: the same ECharts option rendered offscreen with the SVG renderer (server-side mode, no DOM
 * node) for SVG downloads and the HTML report.
 */
import { init } from './echartsCompare'
export { download, downloadDataUrl } from '../lib/download'
import type { EChartsCoreOption } from 'echarts/core'

/** Renders `option` to an SVG string, without animation or toolbox, on a white background (light theme: it is for documents). */
export function optionToSvg(option: EChartsCoreOption, width = 900, height = 420): string {
  const chart = init(null as unknown as HTMLElement, undefined, { renderer: 'svg', ssr: true, width, height })
  try {
    chart.setOption({ ...option, animation: false, toolbox: { show: false }, backgroundColor: '#ffffff' })
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}

/** "IUNet vs MLP: digits" → "iunet-vs-mlp-digits". */
export function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'chart'
  )
}
