// Next.js docs: "Request Body FormData" — works for urlencoded and multipart posts.
export async function POST(request: Request) {
  const formData = await request.formData()
  const name = formData.get('name')
  const email = formData.get('email')
  const attachment = formData.get('attachment')
  return Response.json({
    name,
    email,
    attachment: attachment instanceof File ? { name: attachment.name, size: attachment.size, type: attachment.type } : null,
  })
}
