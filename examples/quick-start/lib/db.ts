// A stand-in for the app's database module, which the README's migration example imports.
interface User {
  id: string
  name: string
}

const users = new Map<string, User>([['7', { id: '7', name: 'Ada' }]])

export const db = {
  users: { find: async (id: string): Promise<User | undefined> => users.get(id) },
}
