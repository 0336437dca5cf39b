// Counts an upload read as a stream.
export async function POST(request: Request) {
  let size = 0
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) size += chunk.byteLength
  return Response.json({ size })
}
