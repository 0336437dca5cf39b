// Next.js docs: a static JSON GET.
export async function GET() {
  return Response.json({ message: 'Hello World' })
}
