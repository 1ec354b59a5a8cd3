// The API client first: it reads the server's ?token= from the address bar before the router owns the URL.
import { api } from './api/client'
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { router } from './router'

void api
createApp(App).use(createPinia()).use(router).mount('#app')
