import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

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

/**
 * Closes a page (every page of these tests has a context of its own). Chromium can keep a page that is
 * committing a navigation, e.g. right after a click that navigates (playwright#42366, #42068): both
 * `page.close()` and disposing of its context then wait forever; each hung the framework test for its
 * whole limit in CI after every assertion had passed. So: let the page settle first (no request for
 * 500 ms, at most 10 s), then dispose of the context, and never wait more than 10 s for that; the
 * world's browser.close() ends whatever is left.
 */
export async function closePage(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {})
  let timer: NodeJS.Timeout | undefined
  await Promise.race([page.context().close().catch(() => {}), new Promise<void>((r) => (timer = setTimeout(r, 10_000)))])
  clearTimeout(timer)
}
