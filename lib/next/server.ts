// Kept in the declarations: TypeScript 6+ loads Node's types (Buffer, node:http) only when asked.
/// <reference types="node" preserve="true" />
/** `next/server` for route handlers. */
export { after, unstable_after, type AfterCallback, type AfterTask } from './after.ts'
export { connection } from './connection.ts'
export { NextRequest, type NextRequestInit } from './next-request.ts'
export { NextResponse, type MiddlewareResponseInit } from './next-response.ts'
export { NextURL } from './next-url.ts'
export { userAgent, userAgentFromString, type UserAgent } from './user-agent.ts'
export { ImageResponse, type ImageResponseOptions } from './image-response.ts'
export { URLPattern } from './url-pattern.ts'
