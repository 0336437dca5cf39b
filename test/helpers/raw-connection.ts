import { connect, type Socket } from 'node:net'

/** One HTTP/1.1 response as read off the wire (bodies framed by `Content-Length` only). */
export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * A keep-alive connection on a raw socket, for what `fetch` hides: which responses came on one
 * connection, a body sent in pieces without ending the socket, and whether the server closed it.
 */
export class RawConnection {
  readonly #socket: Socket
  #buffer = ''
  #wake: (() => void) | undefined
  /** Resolves when the server has closed the connection. */
  readonly closed: Promise<void>

  private constructor(socket: Socket) {
    this.#socket = socket
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk
      this.#wake?.()
    })
    socket.on('error', () => {})
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()))
    void this.closed.then(() => this.#wake?.())
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawConnection(socket)))
      socket.once('error', reject)
    })
  }

  get isClosed(): boolean {
    return this.#socket.destroyed
  }

  write(raw: string): void {
    this.#socket.write(raw)
  }

  /** The next complete response; rejects when the connection closes before one has arrived. */
  async response(): Promise<RawResponse> {
    for (;;) {
      const parsed = parseResponse(this.#buffer)
      if (parsed) {
        this.#buffer = this.#buffer.slice(parsed.length)
        return parsed.response
      }
      if (this.#socket.destroyed) throw new Error(`the connection closed; unparsed bytes: ${JSON.stringify(this.#buffer)}`)
      await new Promise<void>((resolve) => (this.#wake = resolve))
    }
  }

  /** What came after the last parsed response (nothing, on a sane connection). */
  get rest(): string {
    return this.#buffer
  }

  destroy(): void {
    this.#socket.destroy()
  }
}

function parseResponse(buffer: string): { response: RawResponse; length: number } | null {
  const headEnd = buffer.indexOf('\r\n\r\n')
  if (headEnd === -1) return null
  const [statusLine, ...lines] = buffer.slice(0, headEnd).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const length = Number(headers['content-length'] ?? 0)
  const bodyStart = headEnd + 4
  if (Buffer.byteLength(buffer.slice(bodyStart)) < length) return null
  const body = Buffer.from(buffer.slice(bodyStart)).subarray(0, length).toString()
  return { response: { status: Number(statusLine!.split(' ')[1]), headers, body }, length: bodyStart + body.length }
}
