// Next.js docs: "Request Body" — echo the JSON back.
export async function POST(request: Request) {
  const res = await request.json()
  return Response.json({ res })
}
