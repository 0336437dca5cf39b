// The legacy database both instances share: a JSON file (CATALOG_FILE, set by start.mjs). A route
// reading it is what the cache saves; its `reads` count shows how often that happened.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Catalog {
  products: { name: string; price: number }[]
  reads: number
}

const file = process.env.CATALOG_FILE ?? join(tmpdir(), 'route-handlers-two-instances.json')

function load(): Catalog {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { products: [{ name: 'Widget', price: 9.5 }], reads: 0 }
}

/** The catalog, counting the read: the query the cache saves. */
export function readCatalog(): Catalog {
  const catalog = load()
  catalog.reads++
  writeFileSync(file, JSON.stringify(catalog))
  return catalog
}

export function setPrice(name: string, price: number): void {
  const catalog = load()
  catalog.products = catalog.products.map((product) => (product.name === name ? { ...product, price } : product))
  writeFileSync(file, JSON.stringify(catalog))
}
