import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Context } from 'hono'

/**
 * The pages' own CSS and JS, real files in ./client (plain CSS and browser JavaScript, no build step,
 * no CDN), allowed by a CSP that permits nothing inline. Read once when this module loads.
 *
 * Pages link each file under a name that carries a hash of its content (ui.<hash>.css), served as
 * immutable: a new release has new names, so nothing stale is ever used. The old unhashed names still
 * answer, revalidated on each use, for a page a host cached before hashed names existed.
 */
export interface UiAsset {
  /** The hashed path the pages link, e.g. /ui/assets/ui.0123456789ab.css. */
  readonly path: string
  /** The unhashed path of older releases, e.g. /ui/assets/ui.css. */
  readonly legacyPath: string
  readonly body: string
  /** Content-Type, with its charset. */
  readonly type: string
  /** A strong ETag: the content hash, quoted. */
  readonly etag: string
}

/** Cache-Control of the hashed paths. */
export const IMMUTABLE = 'public, max-age=31536000, immutable'
/** Cache-Control of the legacy unhashed paths: kept, but checked again (ETag) on each use. */
export const REVALIDATE = 'no-cache'

function load(stem: string, ext: 'css' | 'js', type: string): UiAsset {
  const bytes = readFileSync(new URL(`./client/${stem}.${ext}`, import.meta.url))
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12)
  return { path: `/ui/assets/${stem}.${hash}.${ext}`, legacyPath: `/ui/assets/${stem}.${ext}`, body: bytes.toString('utf8'), type, etag: `"${hash}"` }
}

export const UI_ASSETS = {
  css: load('ui', 'css', 'text/css; charset=utf-8'),
  js: load('ui', 'js', 'text/javascript; charset=utf-8'),
} as const satisfies Record<string, UiAsset>

/** Answers an asset with the given Cache-Control, or 304 when the browser already has this content. */
export function serveAsset(asset: UiAsset, cacheControl: string) {
  return (c: Context) => {
    const headers = { 'content-type': asset.type, 'cache-control': cacheControl, etag: asset.etag, 'x-content-type-options': 'nosniff' }
    const known = c.req.header('if-none-match')
    if (known && known.split(',').some((tag) => ['*', asset.etag, `W/${asset.etag}`].includes(tag.trim()))) return c.body(null, 304, headers)
    return c.body(asset.body, 200, headers)
  }
}
