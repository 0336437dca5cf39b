// Stand-ins for the app's own modules, which the README's after() example imports.
export interface Order {
  id: string
}

export async function saveOrder(input: unknown): Promise<Order> {
  return { id: typeof input === 'object' && input !== null && 'id' in input ? String(input.id) : 'order-1' }
}

export const audited: { orderId: string; session: string | undefined }[] = []

export async function audit(orderId: string, session: string | undefined): Promise<void> {
  audited.push({ orderId, session })
}
