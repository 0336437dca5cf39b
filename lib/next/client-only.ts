/**
 * `client-only` as Next.js resolves it on the server: importing it fails, with Next's message.
 */
throw new Error(
  'This module cannot be imported from a Server Component module. It should only be used from a Client Component.',
)
