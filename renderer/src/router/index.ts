/**
 * The renderer's routes (vue-router, hash history: works from Electron's file:// and from the server alike).
 * Each view is its own chunk, loaded when its route is first visited, so the first load only carries the shell.
 * `#/<section>/<param>`: the param is a run id (training, compare), a dataset id (datasets, new run) or a study id.
 */
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'

export type Section = 'datasets' | 'new-run' | 'training' | 'runs' | 'compare' | 'studies'
/** Sections in the side navigation; 'training' (a run's live view) is reached from a run. */
export const SECTIONS: { key: Section; label: string }[] = [
  { key: 'datasets', label: 'Datasets' },
  { key: 'new-run', label: 'New run' },
  { key: 'runs', label: 'Runs' },
  { key: 'compare', label: 'Compare' },
  { key: 'studies', label: 'Studies' }
]

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/datasets' },
  { path: '/datasets/:param?', name: 'datasets', component: () => import('../views/DatasetsView.vue') },
  { path: '/new-run/:param?', name: 'new-run', component: () => import('../views/NewRunView.vue') },
  { path: '/training/:param?', name: 'training', component: () => import('../views/TrainingView.vue') },
  { path: '/runs', name: 'runs', component: () => import('../views/RunsView.vue') },
  { path: '/compare/:param?', name: 'compare', component: () => import('../views/CompareView.vue') },
  { path: '/studies/:param?', name: 'studies', component: () => import('../views/StudiesView.vue') },
  { path: '/:unknown(.*)*', redirect: '/datasets' }
]

/**
 * Base without the query: the server's `?token=` is read once by the API client and then dropped from the
 * address bar, so links and history entries never carry it (Electron's file:// ignores the base).
 */
export function createAppRouter() {
  return createRouter({ history: createWebHashHistory(location.pathname), routes })
}

export const router = createAppRouter()
