// Next.js docs: "Redirects".
import { redirect } from 'next/navigation'

export async function GET() {
  redirect('https://nextjs.org/')
}
