/**
 * Text that came from a file (column names, class labels, dataset and run names) reaching a string that is
 * rendered as HTML — ECharts tooltip formatters, the HTML report — goes through escapeHtml first.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]!)
}
