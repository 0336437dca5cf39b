import { runBehaviour } from './helpers/behaviour.ts'
import { handleTarget, standaloneTarget } from './helpers/targets.ts'

runBehaviour('core handle() at the root', () => handleTarget(''))
runBehaviour('core handle() under /api', () => handleTarget('/api'))
runBehaviour('standalone server at the root', () => standaloneTarget(''))
runBehaviour('standalone server under /api', () => standaloneTarget('/api/v1'))
