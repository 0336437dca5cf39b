import { runSocketBehaviour } from './helpers/socket-behaviour.ts'
import { expressTarget, fastifyTarget, standaloneTarget } from './helpers/targets.ts'

runSocketBehaviour('standalone server on a socket', () => standaloneTarget(''))
runSocketBehaviour('Express on a socket', () => expressTarget('/api'))
runSocketBehaviour('Fastify on a socket', () => fastifyTarget('/api'))
