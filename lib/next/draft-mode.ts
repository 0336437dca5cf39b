/**
 * `draftMode()` from `next/headers`, with Next.js's cookie: `__prerender_bypass`, whose value must
 * be the preview mode id (`previewModeId`, Next's prerender-manifest name for it).
 */
import { RequestCookies } from '@edge-runtime/cookies'
import { randomBytes } from 'node:crypto'
import { requestHeader } from '../body/route-request.ts'
import { requestStorage, type RequestStore } from '../context.ts'
import { routeHandlersError } from '../errors.ts'
import { processGlobal } from '../process-global.ts'
import { cookieJarOf } from './route-cookies.ts'
import { trackDynamicAccess } from '../cache/static-generation.ts'

const BYPASS_COOKIE = '__prerender_bypass'
// Next.js's own dev id: with it, outside production, any bypass cookie counts (a `next dev` server
// sets its cookie with an id of its own).
const DEVELOPMENT_ID = 'development-id'

/**
 * The preview mode id when the options give none: random, one per process (shared by every route
 * folder and copy of the package), as a `next build` makes one per build. Cookies it signed stop
 * counting when the process restarts; give `previewModeId` to keep them, or to share draft mode
 * with a Next.js app (its `.next/prerender-manifest.json` has `preview.previewModeId`).
 */
const defaultPreviewModeId = processGlobal('preview-mode-id', () => randomBytes(16).toString('hex'))

/** The `previewModeId` option checked at start-up, or the process's random id. */
export function resolvePreviewModeId(option: unknown): string {
  if (option === undefined) return defaultPreviewModeId
  if (typeof option !== 'string' || option === '') {
    throw routeHandlersError('RH_ERR_OPTIONS_INVALID', ['`previewModeId` must be a non-empty string'])
  }
  return option
}

/** True when `request` carries the bypass cookie with the preview mode id (draft mode is on). */
export function hasDraftModeCookie(request: Request, previewModeId: string): boolean {
  // Most requests carry no such cookie: found out from the raw header, without building `headers`.
  if (!mayHaveDraftModeCookie(requestHeader(request, 'cookie') ?? undefined)) return false
  const value = new RequestCookies(request.headers).get(BYPASS_COOKIE)?.value
  return Boolean(value && (value === previewModeId || (process.env.NODE_ENV !== 'production' && previewModeId === DEVELOPMENT_ID)))
}

/** False when a raw `Cookie` header cannot hold draft mode's cookie (most requests). */
export function mayHaveDraftModeCookie(cookieHeader: string | undefined): boolean {
  return cookieHeader?.includes(BYPASS_COOKIE) === true
}

/**
 * True when the request of `store` came in draft mode (Next's `workStore.isDraftMode`, which
 * caching reads): from its cookie as sent, whatever the handler has enabled or disabled since.
 */
export function inDraftMode(store: RequestStore): boolean {
  return hasDraftModeCookie(store.request, store.handlers.previewModeId)
}

/**
 * Draft mode for one request, as Next.js 15 and 16's DraftModeProvider: `isEnabled` is read from
 * the request's cookie, and `enable()`/`disable()` set or expire the cookie on the response
 * (through the same jar as `cookies().set()`) and turn `isEnabled` on or off for the rest of the
 * request (a CMS preview route enables it, then fetches drafts; Next 14 kept the request's value).
 */
export class DraftMode {
  readonly #store: RequestStore
  #isEnabled: boolean

  constructor(store: RequestStore) {
    this.#store = store
    this.#isEnabled = hasDraftModeCookie(store.request, store.handlers.previewModeId)
  }

  /** True when the request carries the bypass cookie with the preview mode id, or `enable()` was called since. */
  get isEnabled(): boolean {
    return this.#isEnabled
  }

  /** Sets the bypass cookie on the response (HttpOnly; SameSite=None and Secure outside development). */
  enable(): void {
    this.#writable('draftMode().enable()').set({ name: BYPASS_COOKIE, value: this.#store.handlers.previewModeId, ...cookieAttributes(), path: '/' })
    this.#isEnabled = true
  }

  /** Expires the bypass cookie on the response. */
  disable(): void {
    this.#writable('draftMode().disable()').set({ name: BYPASS_COOKIE, value: '', ...cookieAttributes(), expires: new Date(0), path: '/' })
    this.#isEnabled = false
  }

  #writable(call: string) {
    // Checked where it is called, as Next.js does: an object kept from the handler is still
    // read-only inside after().
    const current = requestStorage.getStore() ?? this.#store
    if (current.phase === 'after') throw routeHandlersError('RH_ERR_AFTER_READONLY', [call])
    // Next's trackDynamicDraftMode: a GET that toggles draft mode is never cached, whatever its
    // `dynamic` (even force-static): its cookie carries the preview mode id, which a cached entry
    // would hand to every visitor.
    if (trackDynamicAccess(current, call) && current.generation) current.generation.usedDynamic ??= call
    return cookieJarOf(this.#store)
  }
}

// Next.js's attributes: a cross-site cookie in production; in development (plain http) SameSite=Lax.
function cookieAttributes(): { httpOnly: true; sameSite: 'none' | 'lax'; secure: boolean } {
  const development = process.env.NODE_ENV === 'development'
  return { httpOnly: true, sameSite: development ? 'lax' : 'none', secure: !development }
}
