// Kept in the declarations: TypeScript 6+ loads Node's types (Buffer, node:http) only when asked.
/// <reference types="node" preserve="true" />
export { createRouteHandlers, type FileMatcher, type RouteHandlers } from './router.ts'
export type { MaybePromise } from './maybe-promise.ts'
export { RouteHandlersError, isRouteHandlersError, type RouteHandlersErrorCode } from './errors.ts'
export {
  HTTP_METHODS,
  type AnswerSink,
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
export type { CacheOptions } from './cache/cache-options.ts'
export { MemoryCacheHandler } from './cache/memory-cache-handler.ts'
export type * from './cache/cache-handler.ts'
export { serve, toNodeListener, type ServeOptions, type StandaloneServer } from '../adapters/node.ts'
