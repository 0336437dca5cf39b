/** `next/server` for route handlers. */
export { NextRequest, type NextRequestInit } from './next-request.ts'
export { NextResponse, type MiddlewareResponseInit } from './next-response.ts'
export { NextURL } from './next-url.ts'
export { userAgent, userAgentFromString, type UserAgent } from './user-agent.ts'
