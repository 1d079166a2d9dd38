import { watch, type FSWatcher } from 'node:fs'
import type { Logger } from 'pino'
import type { SourceRow } from '../../db/sources'
import { FolderConfigSchema } from './folder-config'

export interface FolderWatchers {
  /** Watches every enabled folder source that asks for it; stops watching the others. */
  sync(sources: readonly SourceRow[]): void
  close(): void
}

/**
 * fs.watch where it works, only as a hint: an event enqueues a scan (debounced), and the scan decides.
 * Events get lost on network shares and when a watcher dies, which is why polling always runs too.
 */
export function folderWatchers(onChange: (sourceId: string) => void, logger: Logger, debounceMs = 300): FolderWatchers {
  const active = new Map<string, { key: string; watcher: FSWatcher; timer?: NodeJS.Timeout }>()
  const stopOne = (id: string) => {
    const w = active.get(id)
    if (!w) return
    clearTimeout(w.timer)
    w.watcher.close()
    active.delete(id)
  }
  return {
    sync(sources) {
      const wanted = new Map<string, { path: string; recursive: boolean }>()
      for (const s of sources) {
        if (s.kind !== 'folder' || !s.enabled) continue
        const c = FolderConfigSchema.safeParse(s.config)
        if (c.success && c.data.watch) wanted.set(s.id, { path: c.data.path, recursive: c.data.recursive })
      }
      for (const id of [...active.keys()]) {
        const w = wanted.get(id)
        if (!w || active.get(id)!.key !== `${w.path}|${w.recursive}`) stopOne(id)
      }
      for (const [id, w] of wanted) {
        if (active.has(id)) continue
        try {
          const entry: { key: string; watcher: FSWatcher; timer?: NodeJS.Timeout } = {
            key: `${w.path}|${w.recursive}`,
            watcher: watch(w.path, { recursive: w.recursive, persistent: false }, () => {
              clearTimeout(entry.timer)
              entry.timer = setTimeout(() => onChange(id), debounceMs)
              entry.timer.unref()
            }),
          }
          entry.watcher.on('error', (e) => {
            logger.warn({ sourceId: id, err: String(e) }, 'folder watcher failed; polling continues')
            stopOne(id)
          })
          active.set(id, entry)
        } catch (e) {
          logger.warn({ sourceId: id, path: w.path, err: String(e) }, 'cannot watch this folder; polling only')
        }
      }
    },
    close() {
      for (const id of [...active.keys()]) stopOne(id)
    },
  }
}
