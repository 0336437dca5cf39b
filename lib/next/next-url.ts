/**
 * `request.nextUrl`: the request URL with the mount prefix split off as `basePath`, as Next.js's
 * NextURL does for its `basePath` setting. `pathname` is the mount-relative path; `href` stays the
 * full URL.
 */
export class NextURL {
  /** The URL as given, until something needs the parsed `URL`. */
  readonly #href: string
  #built: URL | undefined
  /** The prefix asked for; `#basePath` is it once the pathname is known to start with it. */
  readonly #requestedBasePath: string
  #basePath: string | undefined
  /**
   * `searchParams` handed out before the URL was parsed: a `URLSearchParams` of the query alone
   * (46 ns, against 345 for a whole `URL`), which stays the query's one live object from then on.
   */
  #params: QueryParams | undefined

  constructor(input: string | URL, options: { basePath?: string } = {}) {
    this.#href = String(input)
    // A URL from outside is checked at once, as `new URL()` checks it; one a request already
    // holds (see `requestNextUrl`) is known to parse, and is parsed when first needed.
    if (!trustedInput) this.#built = new URL(this.#href)
    this.#requestedBasePath = options.basePath ?? ''
  }

  /** The parsed URL, with what was done to `searchParams` before it existed written into its query. */
  #url(): URL {
    const url = (this.#built ??= new URL(this.#href))
    const params = this.#params
    // Any write re-serializes the query, as a URL's own searchParams do (`?x` becomes `?x=` even
    // after deleting a name that was not there), so `href` is what Next.js's NextURL gives.
    if (params?.written) {
      url.search = params.toString()
      params.written = false
    }
    return url
  }

  /** After the query changed through the URL (`search`, `href`), the handed-out params follow it. */
  #queryWritten(): void {
    const params = this.#params
    if (params === undefined) return
    for (const name of new Set(params.keys())) params.delete(name)
    for (const [name, value] of this.#built!.searchParams) params.append(name, value)
    params.written = false
  }

  #base(): string {
    if (this.#basePath === undefined) {
      const requested = this.#requestedBasePath
      this.#basePath = requested !== '' && hasPrefix(this.#url().pathname, requested) ? requested : ''
    }
    return this.#basePath
  }

  get basePath(): string {
    return this.#base()
  }

  set basePath(value: string) {
    const pathname = this.pathname
    this.#basePath = value
    this.pathname = pathname
  }

  get pathname(): string {
    return this.#url().pathname.slice(this.#base().length) || '/'
  }

  set pathname(value: string) {
    const basePath = this.#base()
    this.#url().pathname = basePath + (value === '/' && basePath !== '' ? '' : value)
  }

  get buildId(): string | undefined {
    return undefined
  }

  get locale(): string {
    return ''
  }

  get defaultLocale(): string | undefined {
    return undefined
  }

  get domainLocale(): undefined {
    return undefined
  }

  get searchParams(): URLSearchParams {
    if (this.#params !== undefined) return this.#params
    if (this.#built !== undefined) return this.#built.searchParams
    return (this.#params = new QueryParams(queryOf(this.#href)))
  }

  get href(): string {
    return this.#url().href
  }

  set href(value: string) {
    const basePath = this.#base()
    const url = this.#url()
    url.href = value
    this.#queryWritten()
    this.#basePath = basePath !== '' && hasPrefix(url.pathname, basePath) ? basePath : ''
  }

  get origin(): string {
    return this.#url().origin
  }

  get protocol(): string {
    return this.#url().protocol
  }

  set protocol(value: string) {
    this.#url().protocol = value
  }

  get host(): string {
    return this.#url().host
  }

  set host(value: string) {
    this.#url().host = value
  }

  get hostname(): string {
    return this.#url().hostname
  }

  set hostname(value: string) {
    this.#url().hostname = value
  }

  get port(): string {
    return this.#url().port
  }

  set port(value: string) {
    this.#url().port = value
  }

  get search(): string {
    return this.#url().search
  }

  set search(value: string) {
    this.#url().search = value
    this.#queryWritten()
  }

  get hash(): string {
    return this.#url().hash
  }

  set hash(value: string) {
    this.#url().hash = value
  }

  get username(): string {
    return this.#url().username
  }

  set username(value: string) {
    this.#url().username = value
  }

  get password(): string {
    return this.#url().password
  }

  set password(value: string) {
    this.#url().password = value
  }

  toString(): string {
    return this.href
  }

  toJSON(): string {
    return this.href
  }

  clone(): NextURL {
    return requestNextUrl(this.href, this.#base())
  }

  [Symbol.for('nodejs.util.inspect.custom')](): object {
    return { href: this.href, origin: this.origin, basePath: this.basePath, pathname: this.pathname, search: this.search }
  }
}

/**
 * The lazily made `searchParams`: a `URLSearchParams` that notes being written to. `written` is
 * set on the first write rather than declared with a value: a field initializer would give the
 * class a constructor of its own to run on every request that reads `searchParams`.
 */
class QueryParams extends URLSearchParams {
  declare written?: boolean

  override append(name: string, value: string): void {
    this.written = true
    super.append(name, value)
  }

  override delete(name: string, value?: string): void {
    this.written = true
    super.delete(name, value)
  }

  override set(name: string, value: string): void {
    this.written = true
    super.set(name, value)
  }

  override sort(): void {
    this.written = true
    super.sort()
  }
}

// Set while `requestNextUrl` constructs: its input is a URL that already parsed.
let trustedInput = false

/**
 * `request.nextUrl` for a request's own `url` (which parsed when the request was made): nothing is
 * parsed until asked for, and reading `searchParams` parses the query alone.
 */
export function requestNextUrl(href: string, basePath: string | undefined): NextURL {
  trustedInput = true
  try {
    return new NextURL(href, { basePath })
  } finally {
    trustedInput = false
  }
}

/** The query of a serialized URL, without its `?` (the fragment, if any, excluded). */
function queryOf(href: string): string {
  const hash = href.indexOf('#')
  const question = href.indexOf('?')
  if (question === -1 || (hash !== -1 && hash < question)) return ''
  return href.slice(question + 1, hash === -1 ? undefined : hash)
}

function hasPrefix(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(`${prefix}/`)
}
