import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UI_ASSETS } from '../../src/http/ui/assets'
import { startTestService, type TestService } from '../support/in-process-service'

const FILES = {
  css: { file: new URL('../../src/http/ui/client/ui.css', import.meta.url), type: 'text/css; charset=utf-8', legacy: '/ui/assets/ui.css' },
  js: { file: new URL('../../src/http/ui/client/ui.js', import.meta.url), type: 'text/javascript; charset=utf-8', legacy: '/ui/assets/ui.js' },
} as const

function hashOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 12)
}

/** A tab page's HTML, through the ticket → cookie handshake. */
async function page(s: TestService, path: string): Promise<Response> {
  const res = await fetch(`${s.url}/api/v1/ui-sessions`, { method: 'POST', headers: { authorization: `Bearer ${s.adminKey}` } })
  const { url } = (await res.json()) as { url: string }
  const entered = await fetch(url, { redirect: 'manual' })
  const cookie = entered.headers.get('set-cookie')!.split(';')[0]!
  return fetch(`${s.url}${path}`, { headers: { cookie } })
}

/**
 * The pages' CSS and JS are real files (src/http/ui/client), linked under content-hashed names
 * served as immutable; the old unhashed names still answer for pages cached before the upgrade.
 * Assets do not depend on the database: PGlite only.
 */
describe('tab page assets', () => {
  let s: TestService
  beforeAll(async () => {
    s = await startTestService({ CRON_ENABLED: 'false', WORKER_ENABLED: 'false' })
  }, 60_000)
  afterAll(async () => {
    await s?.stop()
  })

  it('links the hashed paths of the files, and the hash is the files’ own', async () => {
    const res = await page(s, '/ui/to-submit')
    expect(res.status).toBe(200)
    const csp = res.headers.get('content-security-policy')!
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    const html = await res.text()
    const css = /<link rel="stylesheet" href="([^"]+)"/.exec(html)?.[1]
    const js = /<script src="([^"]+)" defer(="")?><\/script>/.exec(html)?.[1]
    expect(css).toBe(`/ui/assets/ui.${hashOf(readFileSync(FILES.css.file))}.css`)
    expect(js).toBe(`/ui/assets/ui.${hashOf(readFileSync(FILES.js.file))}.js`)
    expect(css).toBe(UI_ASSETS.css.path)
    expect(js).toBe(UI_ASSETS.js.path)
    expect(html).not.toContain('?v=')
    expect(html).not.toMatch(/<script>|<style/)
  })

  it('links the hashed CSS from the plain message pages too', async () => {
    const res = await fetch(`${s.url}/ui/to-submit`)
    expect(res.status).toBe(401)
    expect(await res.text()).toContain(`<link rel="stylesheet" href="${UI_ASSETS.css.path}"/>`)
  })

  it.each(['css', 'js'] as const)('serves the hashed %s as immutable, with the file’s bytes, its type and an ETag', async (kind) => {
    const { file, type } = FILES[kind]
    const bytes = readFileSync(file)
    const res = await fetch(`${s.url}${UI_ASSETS[kind].path}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(res.headers.get('content-type')).toBe(type)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    const etag = res.headers.get('etag')
    expect(etag).toBe(`"${hashOf(bytes)}"`)
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true)

    const again = await fetch(`${s.url}${UI_ASSETS[kind].path}`, { headers: { 'if-none-match': etag! } })
    expect(again.status).toBe(304)
    expect(again.headers.get('etag')).toBe(etag)
    expect(await again.text()).toBe('')
  })

  it.each(['css', 'js'] as const)('answers 404 for a %s name with a wrong hash', async (kind) => {
    const hash = (path: string) => /\.([0-9a-f]{12})\./.exec(path)![1]!
    const mine = hash(UI_ASSETS[kind].path)
    const other = hash(UI_ASSETS[kind === 'css' ? 'js' : 'css'].path)
    const wrong = [
      `/ui/assets/ui.${mine === '000000000000' ? '111111111111' : '000000000000'}.${kind}`,
      `/ui/assets/ui.${other}.${kind}`,
      `/ui/assets/ui.${mine.slice(0, 10)}.${kind}`,
    ]
    for (const path of wrong) {
      const res = await fetch(`${s.url}${path}`)
      expect(res.status, path).toBe(404)
      await res.body?.cancel()
    }
  })

  it.each(['css', 'js'] as const)('still answers the legacy unhashed %s path, revalidated on each use', async (kind) => {
    const { file, type, legacy } = FILES[kind]
    const res = await fetch(`${s.url}${legacy}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-cache')
    expect(res.headers.get('content-type')).toBe(type)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('etag')).toBe(UI_ASSETS[kind].etag)
    expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(file))).toBe(true)
    const again = await fetch(`${s.url}${legacy}`, { headers: { 'if-none-match': UI_ASSETS[kind].etag } })
    expect(again.status).toBe(304)
  })
})
