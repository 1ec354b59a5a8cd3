/**
 * The stored datasets and the bundled examples; the selected dataset's detail and preview; importing (by path,
 * dropped/picked file or example) with its progress and error; schema edits and deletion.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import {
  ApiError,
  type ColumnOverride,
  type DatasetDetail,
  type DatasetPreview,
  type DatasetSummary,
  type EventPayload,
  type ExampleDataset,
  type ImageShape
} from '@contract'
import { api } from '../api/client'

export interface ImportState {
  /** What is being imported, in words (file name or path). */
  label: string
  /** The path main reads (known once an upload finished). */
  path: string | null
  stage: 'upload' | 'read'
  bytesRead: number
  totalBytes: number
  rows: number
}

/** Errors about an uploaded copy name the copy ("1795…-ab12-data.csv"): say the user's file name instead. */
function withUserName(e: unknown, path: string, label?: string): unknown {
  const copy = path.split(/[\\/]/).pop()
  if (!label || !copy || copy === label || !(e instanceof ApiError) || !e.message.includes(copy)) return e
  return new ApiError(
    e.code,
    e.message.split(copy).join(label),
    e.details?.map((d) => d.split(copy).join(label))
  )
}

export const useDatasetsStore = defineStore('datasets', () => {
  const list = ref<DatasetSummary[]>([])
  const examples = ref<ExampleDataset[]>([])
  const loaded = ref(false)
  const error = ref<string | null>(null)

  const selectedId = ref<string | null>(null)
  const detail = ref<DatasetDetail | null>(null)
  const preview = ref<DatasetPreview | null>(null)
  const detailLoading = ref(false)
  const detailError = ref<unknown>(null)

  const importing = ref<ImportState | null>(null)
  const importError = ref<unknown>(null)
  /** Set when an import found the same file already stored (the existing dataset is selected). */
  const importNotice = ref<string | null>(null)

  const selected = computed(() => list.value.find((d) => d.id === selectedId.value) ?? null)

  async function refresh() {
    try {
      ;[list.value, examples.value] = await Promise.all([api.call('datasets.list', {}), api.call('datasets.examples', {})])
      error.value = null
      if (selectedId.value && !list.value.some((d) => d.id === selectedId.value)) {
        selectedId.value = null
        detail.value = null
        preview.value = null
      }
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loaded.value = true
    }
  }

  let loadToken = 0
  async function select(id: string) {
    selectedId.value = id
    const token = ++loadToken
    detailLoading.value = true
    detailError.value = null
    try {
      const [d, p] = await Promise.all([api.call('datasets.get', { id }), api.call('datasets.preview', { id, rows: 50 })])
      if (token !== loadToken) return
      detail.value = d
      preview.value = p
    } catch (e) {
      if (token === loadToken) detailError.value = e
    } finally {
      if (token === loadToken) detailLoading.value = false
    }
  }

  /** Imports a file main can read; a conflict selects the dataset that already holds the file. */
  async function importPath(path: string, opts: { label?: string; imageShape?: ImageShape; name?: string } = {}) {
    importError.value = null
    importNotice.value = null
    importing.value = { label: opts.label ?? path, path, stage: 'read', bytesRead: 0, totalBytes: 0, rows: 0 }
    try {
      const d = await api.call('datasets.import', { path, imageShape: opts.imageShape, name: opts.name })
      await refresh()
      await select(d.id)
      return d
    } catch (e) {
      const existing = e instanceof ApiError && e.code === 'conflict' ? e.details?.[0] : undefined
      if (existing) {
        importNotice.value = e instanceof Error ? e.message : String(e)
        await refresh()
        await select(existing)
      } else importError.value = withUserName(e, path, opts.label)
      return null
    } finally {
      importing.value = null
    }
  }

  /** A dropped or picked file: its path in Electron, an uploaded copy in the browser. */
  async function importFile(file: File) {
    importError.value = null
    importNotice.value = null
    importing.value = { label: file.name, path: null, stage: 'upload', bytesRead: 0, totalBytes: file.size, rows: 0 }
    let path: string
    try {
      path = await api.pathForFile(file, (f) => {
        if (importing.value) importing.value.bytesRead = f * file.size
      })
    } catch (e) {
      importError.value = e
      importing.value = null
      return null
    }
    return importPath(path, { label: file.name, name: file.name.replace(/\.(csv|tsv|txt|gz)$/i, '') || undefined })
  }

  /** A dropped folder (of class sub-folders): only the desktop app knows its path; a browser must type it. */
  const canImportFolders = api.transport === 'ipc'
  async function importFolder(file: File) {
    if (!canImportFolders) return null
    return importPath(await api.pathForFile(file), { label: file.name })
  }

  function importExample(ex: ExampleDataset) {
    return importPath(ex.path, { label: ex.title, imageShape: ex.imageShape ?? undefined, name: ex.title })
  }

  async function update(id: string, changes: { target?: string; columns?: ColumnOverride[]; name?: string }) {
    const d = await api.call('datasets.update', { id, ...changes })
    if (selectedId.value === id) {
      detail.value = d
      preview.value = await api.call('datasets.preview', { id, rows: 50 })
    }
    return d
  }

  async function remove(id: string) {
    await api.call('datasets.delete', { id })
    if (selectedId.value === id) {
      selectedId.value = null
      detail.value = null
      preview.value = null
    }
    await refresh()
  }

  function onImportProgress(p: EventPayload<'import.progress'>) {
    const s = importing.value
    if (!s || (s.path && s.path !== p.path)) return
    s.stage = 'read'
    s.bytesRead = p.bytesRead
    s.totalBytes = p.totalBytes
    s.rows = p.rows
  }

  api.on('datasets.changed', () => void refresh())
  api.on('import.progress', onImportProgress)
  return {
    list,
    examples,
    loaded,
    error,
    refresh,
    selectedId,
    selected,
    detail,
    preview,
    detailLoading,
    detailError,
    select,
    importing,
    importError,
    importNotice,
    importPath,
    importFile,
    canImportFolders,
    importFolder,
    importExample,
    update,
    remove
  }
})
