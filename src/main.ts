import { loadConfig, ConfigError } from './config'
import { createLogger } from './logger'
import { startService } from './service'

/**
 * `npm start`. Parses the environment once (a bad value stops here with one line per variable),
 * starts the service, prints where it answers, and stops gracefully on SIGTERM/SIGINT
 * (a second signal forces the exit).
 */
async function main(): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`Configuration error:\n${e.message}\n`)
      process.exit(2)
    }
    throw e
  }
  process.env.TZ = config.timezone
  const logger = createLogger(config.logLevel)
  const service = await startService(config, logger)

  process.stdout.write(`\nChorus Pro Connector ${service.url}  (database: ${service.database.engine}, Chorus Pro: ${config.chorus.env})\n`)
  process.stdout.write(`  Drop invoice PDFs in: ${config.inboxDir}\n  Open the tabs:        ${service.url}/ui/sign-in  (sign in with an API key)\n`)
  if (service.newAdminKey) {
    process.stdout.write(`\nFirst start: a new admin API key was created. It is shown only now and saved in ${config.dataDir}/admin.key (mode 0600):\n\n  ${service.newAdminKey}\n\nUse it as: Authorization: Bearer <key>\n\n`)
  }

  let signals = 0
  const onSignal = (signal: string) => {
    signals++
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now')
      process.exit(130)
    }
    logger.info({ signal }, 'signal received, stopping gracefully (send it again to force)')
    service.stop().then(
      () => process.exit(0),
      (e) => {
        logger.error({ err: String(e) }, 'error while stopping')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => onSignal('SIGTERM'))
  process.on('SIGINT', () => onSignal('SIGINT'))
}

main().catch((e) => {
  process.stderr.write(`Start-up failed: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
