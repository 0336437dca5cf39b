export { createRouteHandlers, type RouteHandlers } from './router.ts'
export { RouteHandlersError, isRouteHandlersError, type RouteHandlersErrorCode } from './errors.ts'
export {
  HTTP_METHODS,
  type HandleOptions,
  type HttpMethod,
  type Logger,
  type Params,
  type AwaitableParams,
  type RouteContext,
  type RouteHandler,
  type RouteHandlersOptions,
  type RouteInfo,
  type RouteMatch,
  type RouteModule,
} from './types.ts'
export type { MultipartLimits } from './body/limits.ts'
export { serve, toNodeListener, type ServeOptions, type StandaloneServer } from '../adapters/node.ts'
