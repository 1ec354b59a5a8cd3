/**
 * Chart exports: the same ECharts option rendered offscreen with the SVG renderer (server-side mode, no DOM
 * node) for SVG downloads and the HTML report, and Blob downloads through a temporary <a download>.
 */
import { init } from './echartsCompare'
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

export function download(filename: string, data: string | Blob, type = 'text/plain'): void {
  const blob = typeof data === 'string' ? new Blob([data], { type }) : data
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.rel = 'noopener'
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function downloadDataUrl(filename: string, dataUrl: string): void {
  const a = document.createElement('a')
  a.href = dataUrl
  a.download = filename
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
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
