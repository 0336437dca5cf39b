// The same answer through undici's own Response.json(), for comparison.
export function GET() {
  return Response.json({ message: 'Hello World' })
}
