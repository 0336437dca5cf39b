// BENCH_STREAM_BYTES (1 GiB by default) streamed in 64 KiB chunks, made as the client reads them.
const CHUNK = new Uint8Array(64 * 1024).fill(97)
const TOTAL = Number(process.env.BENCH_STREAM_BYTES ?? 1024 ** 3)

export function GET() {
  let sent = 0
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= TOTAL) return controller.close()
        controller.enqueue(CHUNK.slice())
        sent += CHUNK.byteLength
      },
    }),
    { headers: { 'content-type': 'application/octet-stream' } },
  )
}
