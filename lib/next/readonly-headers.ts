import { routeHandlersError } from '../errors.ts'

/** `headers()`: the request's headers, read-only as in Next.js. */
export class ReadonlyHeaders extends Headers {
  override append(): never {
    throw routeHandlersError('RH_ERR_HEADERS_READONLY', [])
  }

  override set(): never {
    throw routeHandlersError('RH_ERR_HEADERS_READONLY', [])
  }

  override delete(): never {
    throw routeHandlersError('RH_ERR_HEADERS_READONLY', [])
  }
}
