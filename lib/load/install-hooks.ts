import { register } from 'node:module'
import { MessageChannel } from 'node:worker_threads'
import { processGlobal } from '../process-global.ts'
import { installInThreadHooks } from './hooks-in-thread.ts'
import type { OffThreadHookData } from './hooks-off-thread.ts'
import { ownModuleUrl } from './next-aliases.ts'
import { registerHooks } from './register-hooks.ts'
import { installRequireHooks } from './require-hooks.ts'
import { RouteGraph } from './route-graph.ts'

/** The process's route graph, its hooks installed on first use (once, whichever copy of us asks). */
export function routeGraph(): RouteGraph {
  return processGlobal('route-graph', () => (registerHooks ? installInThreadHooks() : installOffThreadHooks()))
}

function installOffThreadHooks(): RouteGraph {
  const { port1, port2 } = new MessageChannel()
  // Read synchronously when a lookup misses; never a reason to keep the process alive.
  port1.unref()
  const data: OffThreadHookData = { port: port2 }
  register(ownModuleUrl('./hooks-off-thread'), { data, transferList: [port2] })
  const graph = new RouteGraph(port1)
  installRequireHooks(graph)
  return graph
}
