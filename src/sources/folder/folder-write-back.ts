import { randomBytes } from 'node:crypto'
import { lstat, open, realpath, rename, rm } from 'node:fs/promises'
import { basename, dirname, extname, join, sep } from 'node:path'
import { WriteBackGoneError, type WriteBackDocument, type WriteBackFacts, type WriteBackTarget } from '../write-back-target'
import { confineFolder, type FolderConfinement } from './folder-confinement'
import { FolderConfigSchema, PROCESSED_DIR } from './folder-config'

/** `facture.pdf` → `facture.chorus.json` (the folder walker ignores this suffix). */
export function writeBackFileName(pdfName: string): string {
  const ext = extname(pdfName)
  return `${ext ? pdfName.slice(0, -ext.length) : pdfName}.chorus.json`
}

/** What the JSON file says: small, stable keys, for a DMS that watches the folder. */
export function writeBackJson(doc: WriteBackDocument, facts: WriteBackFacts, now: Date): Record<string, unknown> {
  return {
    format: 'chorus-pro-connector/write-back/1',
    documentId: doc.id,
    file: doc.filename,
    invoiceNumber: facts.invoiceNumber,
    chorusInvoiceId: facts.chorusInvoiceId,
    status: facts.status,
    statusLabel: facts.label,
    statusGroup: facts.group,
    statusAt: facts.statusAt.toISOString(),
    comment: facts.comment,
    depositedAt: facts.depositedAt,
    updatedAt: now.toISOString(),
    history: facts.history.map((h) => ({ status: h.status, label: h.label, at: h.at, comment: h.comment })),
  }
}

/**
 * A folder source's write-back (off unless `writeBack: true`): `<name>.chorus.json` beside the PDF
 * (in processed/, or where it was left with `afterIntake: 'leave'`), rewritten on each change by
 * writing a hidden temporary file in the same folder, flushing it, and renaming it over the old one:
 * a reader sees the old file or the new one, never half of one. Confined like the source itself: the
 * PDF must resolve inside the source's root, through no link; a PDF that is gone (the DMS took it)
 * ends the write-back.
 */
export function folderWriteBack(rawConfig: unknown, confinement: FolderConfinement, now: () => Date = () => new Date()): WriteBackTarget {
  const parsed = FolderConfigSchema.safeParse(rawConfig)
  const config = parsed.success ? parsed.data : undefined
  return {
    enabled: config?.writeBack === true,
    async apply(doc, facts) {
      if (!config) throw new Error('the folder source’s settings are invalid')
      const confined = await confineFolder(config.path, confinement)
      if (!confined.ok) throw new Error(`${confined.reason.en} / ${confined.reason.fr}`)
      const root = confined.path
      const meta = doc.hostMetadata
      const rel = typeof meta.processedPath === 'string' ? meta.processedPath : typeof meta.path === 'string' ? (config.afterIntake === 'leave' ? meta.path : `${PROCESSED_DIR}/${meta.path}`) : undefined
      if (!rel || rel.split('/').includes('..')) throw new WriteBackGoneError(`no location recorded for ${doc.filename}`)
      const pdf = join(root, ...rel.split('/'))
      const st = await lstat(pdf).catch(() => undefined)
      if (!st) throw new WriteBackGoneError(`${rel} is no longer in the folder`)
      if (!st.isFile()) throw new WriteBackGoneError(`${rel} is not a plain file`)
      const dir = await realpath(dirname(pdf))
      if (dir !== root && !dir.startsWith(root + sep)) throw new WriteBackGoneError(`${rel} resolves outside the watched folder`)
      const target = join(dir, writeBackFileName(basename(pdf)))
      const existing = await lstat(target).catch(() => undefined)
      if (existing && !existing.isFile()) throw new Error(`${target} exists and is not a plain file`)
      const tmp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`)
      const body = JSON.stringify(writeBackJson(doc, facts, now()), null, 2) + '\n'
      try {
        const fh = await open(tmp, 'wx', 0o644)
        try {
          await fh.writeFile(body)
          await fh.sync()
        } finally {
          await fh.close()
        }
        await rename(tmp, target)
      } catch (e) {
        await rm(tmp, { force: true })
        throw e
      }
      return { outcome: { file: target.slice(root.length + 1).split(sep).join('/'), bytes: Buffer.byteLength(body) } }
    },
  }
}
