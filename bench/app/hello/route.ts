export function GET() {
  return Response.json({ message: 'Hello World' })
}
