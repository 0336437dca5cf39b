// Next.js docs: "Cookies", Next 15/16 style — read one, set one.
import { cookies } from 'next/headers'

export async function GET() {
  const cookieStore = await cookies()
  const visits = Number(cookieStore.get('visits')?.value ?? 0) + 1
  cookieStore.set('visits', String(visits), { httpOnly: true })
  return Response.json({ visits, theme: cookieStore.get('theme')?.value ?? 'light' })
}
