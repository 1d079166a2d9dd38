import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'

export const CHROMIUM_PATH = '/usr/bin/chromium'

/** Why the browser tests cannot run here, or undefined when they can (printed by the suite). */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined
  return `skipping browser tests: ${CHROMIUM_PATH} is missing (apt-get install -y chromium; .ci/run installs it)`
}

/**
 * Debian's Chromium, headless, with nothing that calls home: no sandbox (CI containers run as root),
 * no GPU, no QUIC, no background networking, updates or sync. playwright's launch() gives it a fresh
 * temporary profile (user-data dir) every time, and each context below is isolated (own cookies).
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

export function newContext(browser: Browser, baseURL: string, opts: { width?: number; locale?: string } = {}): Promise<BrowserContext> {
  return browser.newContext({ baseURL, viewport: { width: opts.width ?? 1280, height: 900 }, locale: opts.locale ?? 'fr-FR', acceptDownloads: true })
}
