import { parseArgs } from 'node:util'
import { join } from 'node:path'
import { loadConfig, ConfigError } from './config'
import { openDatabase } from './db/database'
import { migrateToLatest } from './db/migrate'
import { createApiKey, listApiKeys, revokeApiKey, ROLES } from './db/api-keys'
import type { Role } from './db/schema'
import { audit } from './db/audit'

const usage = `Usage: npm run cli -- <command> [options]

Commands:
  migrate                                  apply pending database migrations
  create-key --role <viewer|operator|admin> --name <name>
                                           create an API key and print it once
  list-keys                                list API keys (never their values)
  revoke-key --id <id>                     revoke an API key
`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(usage)
    return command ? 0 : 2
  }
  const { values } = parseArgs({ args: rest, options: { role: { type: 'string' }, name: { type: 'string' }, id: { type: 'string' } }, strict: true })
  const config = loadConfig()
  const database = await openDatabase({ url: config.databaseUrl, dir: join(config.dataDir, 'pglite') })
  try {
    const applied = await migrateToLatest(database.db)
    switch (command) {
      case 'migrate':
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema already current\n')
        return 0
      case 'create-key': {
        const role = values.role as Role | undefined
        if (!role || !ROLES.includes(role)) throw new UsageError(`--role: expected one of ${ROLES.join(', ')}`)
        if (!values.name?.trim()) throw new UsageError('--name: give the key a name, e.g. --name ERP')
        const { key, record } = await createApiKey(database.db, { name: values.name.trim(), role, createdBy: 'cli' })
        await audit(database.db, { actor: 'cli', action: 'api_key.create', targetType: 'api_key', targetId: record.id, details: { name: record.name, role } })
        process.stdout.write(`${key}\n`)
        process.stderr.write(`created key ${record.id} "${record.name}" (${role}); it is shown only once.\n`)
        return 0
      }
      case 'list-keys':
        for (const k of await listApiKeys(database.db)) {
          process.stdout.write(`${k.id}\t${k.role}\t${k.prefix}…\t${k.name}\t${k.revoked_at ? 'revoked' : 'active'}\n`)
        }
        return 0
      case 'revoke-key': {
        if (!values.id || !/^\d+$/.test(values.id)) throw new UsageError('--id: expected the numeric id shown by list-keys')
        const r = await revokeApiKey(database.db, values.id)
        if (!r) throw new UsageError(`no active key with id ${values.id}`)
        await audit(database.db, { actor: 'cli', action: 'api_key.revoke', targetType: 'api_key', targetId: values.id })
        process.stdout.write(`revoked ${values.id}\n`)
        return 0
      }
      default:
        throw new UsageError(`unknown command "${command}"\n\n${usage}`)
    }
  } finally {
    await database.close()
  }
}

class UsageError extends Error {}

/** node:util parseArgs refuses bad options with a TypeError whose code starts with ERR_PARSE_ARGS. */
function isParseArgsError(e: unknown): e is Error & { code: string } {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError || e instanceof ConfigError || isParseArgsError(e)) {
      process.stderr.write(`${e.message}\n`)
      process.exit(2)
    }
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  },
)
