/**
 * What deserves a notification app-wide: a run that ended (finished, failed or cancelled; a study's cells only
 * when they fail, their study reports the rest) and a study whose last cell finished, each with the name to show.
 * The notifier component subscribes and draws them.
 */
import { defineStore } from 'pinia'
import { isLive, type RunStatus } from '@contract'
import { api } from '../api/client'

export interface RunEnded {
  runId: string
  status: Exclude<RunStatus, 'queued' | 'running' | 'interrupted'>
  name: string
  error: string | null
}
export interface StudyFinished {
  studyId: string
  name: string
  cells: number
}

export const useNoticesStore = defineStore('notices', () => {
  /** Calls `onRun` for every run that ends and `onStudy` for every study that finishes; answers how to stop. */
  function subscribe(onRun: (n: RunEnded) => void, onStudy: (n: StudyFinished) => void): () => void {
    const offRun = api.on('run.status', async (s) => {
      if (isLive(s.status) || s.status === 'interrupted') return
      let name = 'The run'
      try {
        const run = await api.call('runs.get', { id: s.runId })
        if (run.studyId && s.status !== 'failed') return
        name = run.name
      } catch {
        /* deleted meanwhile: keep the generic name */
      }
      onRun({ runId: s.runId, status: s.status as RunEnded['status'], name, error: s.error })
    })
    const offStudy = api.on('study.progress', async (p) => {
      if (p.status !== 'finished' || p.cellsDone !== p.cells) return
      let name = 'The study'
      try {
        name = (await api.call('studies.get', { id: p.studyId })).name
      } catch {
        /* deleted meanwhile */
      }
      onStudy({ studyId: p.studyId, name, cells: p.cells })
    })
    return () => (offRun(), offStudy())
  }
  return { subscribe }
})
