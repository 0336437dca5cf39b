// Local data instead of the remote API the Next.js docs fetch: examples run without a network.
export interface Item {
  slug: string
  name: string
  price: number
}

const items = new Map<string, Item>([
  ['widget', { slug: 'widget', name: 'Widget', price: 9.5 }],
  ['gadget', { slug: 'gadget', name: 'Gadget', price: 24 }],
])

export function listItems(): Item[] {
  return [...items.values()]
}

export function findItem(slug: string): Item | undefined {
  return items.get(slug)
}

export function addItem(item: Item): Item {
  items.set(item.slug, item)
  return item
}
