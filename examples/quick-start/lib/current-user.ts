// Shared by the app and the route files: one instance, whoever imports it first.
import { AsyncLocalStorage } from 'node:async_hooks'

export const currentUser = new AsyncLocalStorage<{ id: string; role: string }>()
