/// <reference lib="dom" />
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { TestDatabase, TestEngine } from '../support/databases'
import { startTestService, type TestService } from '../support/in-process-service'
import { invoicePdf, type InvoicePdfOptions } from '../support/invoice-pdf'
import { ACCOUNT, saisie, sandboxClient } from '../chorus/sandbox-harness'
import { launchChromium, newContext } from './chromium'
import { createJobQueue } from '../../src/jobs/job-queue'
import type { JobKind, JobPayloads } from '../../src/workflows/jobs'

export const SHOTS = join(process.cwd(), 'test-results', 'screenshots')

/** A document as the API presents it (only what the tests read). */
export interface Doc {
  id: string
  filename: string
  state: string
  stage: string
  invoiceId: string | null
  fields: Record<string, { value: string | null; origin: string }>
  problems: Array<{ code: string; field: string | null; message: string }>
}

/**
 * One service (PGlite, or PostgreSQL for the `postgres` engine), its sandbox with a paused clock, a folder
 * inbox and one Chromium: what the accountant's tests drive.
 */
export interface World {
  readonly s: TestService
  readonly browser: Browser
  readonly inbox: string
  readonly engine: string
  /** A sign-in link for a key (the host's side of the handshake). */
  ticket(key?: string, body?: Record<string, unknown>): Promise<string>
  /** A signed-in page (French unless told), dialogs accepted. */
  page(opts?: { lang?: 'fr' | 'en'; width?: number; height?: number; key?: string; tab?: string }): Promise<Page>
  /** Drops a PDF in the inbox, scans, and waits for its analysis. */
  drop(filename: string, pdf: InvoicePdfOptions): Promise<Doc>
  doc(id: string): Promise<Doc>
  /** An invoice deposited on the Chorus Pro portal (not through us): the sync discovers it. */
  depositElsewhere(numero: string, recipientSiret: string): Promise<number>
  sync(): Promise<void>
  /** Queues a job as cron or a workflow would, and waits until it (and the jobs it queued on the same key) ran. */
  runJob<K extends JobKind>(kind: K, payload: JobPayloads[K]): Promise<void>
  newKey(role: 'viewer' | 'operator' | 'admin'): Promise<string>
  /**
   * Deletes every recipient mapping: a submission teaches one (label → SIRET + service), which would make a
   * later test's "red" invoice to the same recipient complete, and the demo account would submit it.
   */
  forgetMappings(): Promise<void>
  close(): Promise<void>
}

export async function openWorld(engine: TestEngine, env: Record<string, string> = {}): Promise<World> {
  const t: TestDatabase | undefined = engine.name === 'postgres' ? await engine.open() : undefined
  const inbox = mkdtempSync(join(tmpdir(), 'chorus-inbox-'))
  const s = await startTestService({ INBOX_DIR: inbox, CRON_ENABLED: 'false', ...(t?.url ? { DATABASE_URL: t.url } : {}), ...env })
  await s.sandbox('/clock', { method: 'POST', json: { paused: true } })
  const browser = await launchChromium()
  const contexts: BrowserContext[] = []
  const chorus = sandboxClient(`${s.url}/sandbox`)
  const world: World = {
    s,
    browser,
    inbox,
    engine: engine.name,
    async ticket(key = s.adminKey, body = {}) {
      const res = await fetch(`${s.url}/api/v1/ui-sessions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
      expect(res.status, await res.clone().text()).toBe(201)
      return ((await res.json()) as { url: string }).url
    },
    async page(opts = {}) {
      const context = await newContext(browser, s.url, { width: opts.width ?? 1366, locale: opts.lang === 'en' ? 'en-GB' : 'fr-FR' })
      if (opts.height) await context.pages()[0]?.setViewportSize({ width: opts.width ?? 1366, height: opts.height })
      contexts.push(context)
      const page = await context.newPage()
      if (opts.height) await page.setViewportSize({ width: opts.width ?? 1366, height: opts.height })
      page.on('dialog', (d) => void d.accept())
      await page.goto(await world.ticket(opts.key ?? s.adminKey, { ...(opts.tab ? { tab: opts.tab } : {}), ...(opts.lang ? { lang: opts.lang } : {}) }))
      return page
    },
    async drop(filename, pdf) {
      const { bytes } = await invoicePdf(pdf)
      writeFileSync(join(inbox, filename), bytes)
      const sources = (await (await s.api('/sources')).json()) as { items: Array<{ id: string; kind: string }> }
      const folder = sources.items.find((x) => x.kind === 'folder')!
      expect((await s.api(`/sources/${folder.id}/scan`, { method: 'POST' })).status).toBeLessThan(300)
      return s.until(async () => {
        const list = (await (await s.api('/documents?tab=all&limit=200')).json()) as { items: Doc[] }
        return list.items.find((d) => d.filename === filename && d.state !== 'analysing' && d.stage !== 'received')
      }, 30_000, `${filename} analysed`)
    },
    async doc(id) {
      return (await (await s.api(`/documents/${id}`)).json()) as Doc
    },
    async depositElsewhere(numero, recipientSiret) {
      const r = await chorus.soumettre(ACCOUNT, saisie(recipientSiret, { numero }))
      return r.identifiantFactureCPP
    },
    async sync() {
      const r = await s.api('/invoices/sync', { method: 'POST' })
      expect(r.status).toBe(202)
      const { jobId } = (await r.json()) as { jobId: string }
      await s.until(async () => {
        const row = await s.service.database.db.selectFrom('jobs').select('state').where('id', '=', jobId).executeTakeFirst()
        return !row || row.state === 'done' || row.state === 'dead'
      }, 30_000, 'status sync')
    },
    async runJob(kind, payload) {
      const db = s.service.database.db
      const queue = createJobQueue(db, () => {})
      const job = await queue.enqueue(kind, payload)
      await s.until(async () => {
        const row = await db.selectFrom('jobs').select('state').where('id', '=', job.id).executeTakeFirst()
        return !row || row.state === 'done' || row.state === 'dead'
      }, 30_000, kind)
      // Jobs it queued in turn (the sweep queues document.submit): until none is waiting or running.
      await s.until(async () => {
        const busy = await db.selectFrom('jobs').select('id').where('state', 'in', ['pending', 'running']).where('run_at', '<=', new Date()).executeTakeFirst()
        return !busy
      }, 30_000, `the jobs ${kind} queued`)
    },
    async forgetMappings() {
      const list = (await (await s.api('/recipients?limit=500')).json()) as { items: Array<{ id: string }> }
      for (const m of list.items) await s.api(`/recipients/${m.id}`, { method: 'DELETE' })
    },
    async newKey(role) {
      const res = await s.api('/api-keys', { method: 'POST', json: { name: `browser ${role} ${Math.random()}`, role } })
      return ((await res.json()) as { key: string }).key
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {})
      await browser.close()
      await s.stop()
      await t?.close()
    },
  }
  return world
}

/** A full-page screenshot under test-results/screenshots. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true })
  const path = join(SHOTS, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

export interface AxeViolation {
  readonly id: string
  readonly impact: string | null
  readonly help: string
  readonly nodes: ReadonlyArray<{ readonly target: unknown; readonly failureSummary?: string }>
}

/**
 * axe-core (a real checker: labels, names, contrast, landmarks, ARIA) run on the page as it stands; the
 * serious and critical violations, each with where it is. page.evaluate runs outside the page's CSP.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE)
  const result = (await page.evaluate(() => (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe.run(document, { resultTypes: ['violations'] }))) as { violations: AxeViolation[] }
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

export function describeViolations(vs: readonly AxeViolation[]): string {
  return vs.map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.slice(0, 5).map((n) => `  ${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('\n')}`).join('\n')
}

/** The page fits its width: nothing sticks out sideways. */
export async function expectNoOverflow(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }))
  expect(scroll, `page is ${scroll}px wide in a ${client}px viewport`).toBeLessThanOrEqual(client)
}
