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
 * Closes a page by disposing of its context (every page of these tests has a context of its own).
 * `page.close()` can wait forever in Chromium when it races a navigation commit, e.g. right after a
 * click that navigates (playwright#42366, #42068): Chromium acknowledges the close and keeps the page.
 * It hung the framework test for its whole 180 s in CI, after every assertion had passed. Disposing of
 * the context destroys its pages without waiting for that page's own detach.
 */
export async function closePage(page: Page): Promise<void> {
  await page.context().close()
}
