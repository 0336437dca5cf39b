/**
 * `request.nextUrl`: the request URL with the mount prefix split off as `basePath`, as Next.js's
 * NextURL does for its `basePath` setting. `pathname` is the mount-relative path; `href` stays the
 * full URL.
 */
export class NextURL {
  readonly #url: URL
  #basePath: string

  constructor(input: string | URL, options: { basePath?: string } = {}) {
    this.#url = new URL(String(input))
    const basePath = options.basePath ?? ''
    this.#basePath = basePath !== '' && hasPrefix(this.#url.pathname, basePath) ? basePath : ''
  }

  get basePath(): string {
    return this.#basePath
  }

  set basePath(value: string) {
    const pathname = this.pathname
    this.#basePath = value
    this.pathname = pathname
  }

  get pathname(): string {
    return this.#url.pathname.slice(this.#basePath.length) || '/'
  }

  set pathname(value: string) {
    this.#url.pathname = this.#basePath + (value === '/' && this.#basePath !== '' ? '' : value)
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
    return this.#url.searchParams
  }

  get href(): string {
    return this.#url.href
  }

  set href(value: string) {
    const basePath = this.#basePath
    this.#url.href = value
    this.#basePath = basePath !== '' && hasPrefix(this.#url.pathname, basePath) ? basePath : ''
  }

  get origin(): string {
    return this.#url.origin
  }

  get protocol(): string {
    return this.#url.protocol
  }

  set protocol(value: string) {
    this.#url.protocol = value
  }

  get host(): string {
    return this.#url.host
  }

  set host(value: string) {
    this.#url.host = value
  }

  get hostname(): string {
    return this.#url.hostname
  }

  set hostname(value: string) {
    this.#url.hostname = value
  }

  get port(): string {
    return this.#url.port
  }

  set port(value: string) {
    this.#url.port = value
  }

  get search(): string {
    return this.#url.search
  }

  set search(value: string) {
    this.#url.search = value
  }

  get hash(): string {
    return this.#url.hash
  }

  set hash(value: string) {
    this.#url.hash = value
  }

  get username(): string {
    return this.#url.username
  }

  set username(value: string) {
    this.#url.username = value
  }

  get password(): string {
    return this.#url.password
  }

  set password(value: string) {
    this.#url.password = value
  }

  toString(): string {
    return this.href
  }

  toJSON(): string {
    return this.href
  }

  clone(): NextURL {
    return new NextURL(this.href, { basePath: this.#basePath })
  }

  [Symbol.for('nodejs.util.inspect.custom')](): object {
    return { href: this.href, origin: this.origin, basePath: this.basePath, pathname: this.pathname, search: this.search }
  }
}

function hasPrefix(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(`${prefix}/`)
}
