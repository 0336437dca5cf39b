// Kept in the declarations: TypeScript 6+ loads Node's types (Buffer, node:http) only when asked.
/// <reference types="node" preserve="true" />
/**
 * `next/navigation` for route handlers: each function stops the handler by throwing, and the
 * dispatcher turns what it threw into the response Next.js would send.
 */
import { requestStorage, useRequestStore } from '../context.ts'
import { httpFallbackError, isControlFlowError, redirectError, type RedirectKind } from './control-flow.ts'

// Handlers that can call redirect() run inside the request store from now on (for its 303).
useRequestStore()

/** Next.js's redirect kinds; route handlers accept them and answer the same either way. */
export const RedirectType = { push: 'push', replace: 'replace' } as const
export type RedirectType = (typeof RedirectType)[keyof typeof RedirectType]

// A browser form post is followed with a GET only after a 303 (Next.js does the same).
function statusFor(otherwise: number): number {
  return requestStorage.getStore()?.isFormPost ? 303 : otherwise
}

/**
 * Ends the handler with a `307` to `url` (`303` after a form post). `Location` is sent exactly as
 * given: no mount prefix is added.
 *
 * @example
 * export async function GET() { redirect('https://nextjs.org/') }
 */
export function redirect(url: string, type: RedirectKind = RedirectType.replace): never {
  throw redirectError(url, type, statusFor(307))
}

/**
 * Ends the handler with a `308` to `url` (`303` after a form post).
 *
 * @example
 * export async function GET() { permanentRedirect('/new-home') }
 */
export function permanentRedirect(url: string, type: RedirectKind = RedirectType.replace): never {
  throw redirectError(url, type, statusFor(308))
}

/**
 * Ends the handler with an empty `404`.
 *
 * @example
 * if (!item) notFound()
 */
export function notFound(): never {
  throw httpFallbackError(404)
}

/**
 * Ends the handler with an empty `403`.
 *
 * @example
 * if (!session.isAdmin) forbidden()
 */
export function forbidden(): never {
  throw httpFallbackError(403)
}

/**
 * Ends the handler with an empty `401`.
 *
 * @example
 * if (!session) unauthorized()
 */
export function unauthorized(): never {
  throw httpFallbackError(401)
}

/**
 * Rethrows `error` if it came from `redirect()`, `notFound()` and friends, so a `try/catch` in a
 * handler does not swallow them; one wrapped in another error's `cause` (a library rethrowing
 * `new Error('failed', { cause })`) is found there and thrown itself, as Next.js does.
 *
 * @example
 * try { await work() } catch (error) { unstable_rethrow(error); return new Response('failed', { status: 500 }) }
 */
export function unstable_rethrow(error: unknown): void {
  if (isControlFlowError(error)) throw error
  if (error instanceof Error && 'cause' in error) unstable_rethrow(error.cause)
}
