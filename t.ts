import { PGlite } from '@electric-sql/pglite'
import { openDatabase } from './src/db/database'
import { migrateToLatest } from './src/db/migrate'
let t = Date.now()
const o = await openDatabase({ dir: 'memory://' })
await migrateToLatest(o.db)
console.log('create+migrate', Date.now() - t)
const pg = (o.db as any).getExecutor().adapter ? null : null
