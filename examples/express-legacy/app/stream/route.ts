// Next.js docs: "Streaming".
function iteratorToStream(iterator: AsyncIterator<Uint8Array>) {
  return new ReadableStream({
    async pull(controller) {
      const { value, done } = await iterator.next()
      if (done) controller.close()
      else controller.enqueue(value)
    },
  })
}

const encoder = new TextEncoder()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function* makeIterator() {
  for (const word of ['One', 'Two', 'Three']) {
    yield encoder.encode(`<p>${word}</p>\n`)
    await sleep(200)
  }
}

export async function GET() {
  return new Response(iteratorToStream(makeIterator()), { headers: { 'content-type': 'text/html; charset=utf-8' } })
}
