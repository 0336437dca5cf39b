import { runBrokenStoreBehaviour, runCacheBehaviour } from './helpers/cache-behaviour.ts'
import { expressTarget, fastifyTarget, handleTarget } from './helpers/targets.ts'

runCacheBehaviour('Express', expressTarget)
runCacheBehaviour('Fastify under /api', fastifyTarget, '/api')
runCacheBehaviour('core handle()', handleTarget)
runBrokenStoreBehaviour('Express', expressTarget)
runBrokenStoreBehaviour('Fastify', fastifyTarget)
