import { lstat, mkdir, open, readdir, readlink, realpath, rename, writeFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { basename, dirname, extname, join, relative, sep } from 'node:path'
import type { Logger } from 'pino'
import type { SourceAdapter, ScanContext } from '../source-adapter'
import { confineFolder, type FolderConfinement } from './folder-confinement'
import { FolderConfigSchema, PROCESSED_DIR, REJECTED_DIR, type FolderConfig } from './folder-config'
import { MAX_INTAKE_BYTES, intakeError, type IntakeError } from '../check-intake-file'
import type { ReceiveOutcome } from '../source-adapter'

interface Seen {
  readonly rel: string
  readonly abs: string
  readonly symlink: boolean
  readonly size: number
  readonly mtimeMs: number
}

/** Names writers use while a file is still being copied, and our own bookkeeping files (error notes, write-back files). */
function ignoredName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('~$') || /\.(part|partial|tmp|temp|crdownload|download|error\.txt|chorus\.json)$/i.test(name) || name.endsWith('~')
}

async function walk(root: string, dir: string, recursive: boolean, out: Seen[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true })
  for (const e of entries) {
    if (ignoredName(e.name)) continue
    const abs = join(dir, e.name)
    const rel = relative(root, abs).split(sep).join('/')
    if (dir === root && (e.name === PROCESSED_DIR || e.name === REJECTED_DIR)) continue
    if (e.isSymbolicLink()) {
      out.push({ rel, abs, symlink: true, size: 0, mtimeMs: 0 })
    } else if (e.isDirectory()) {
      if (recursive) await walk(root, abs, recursive, out)
    } else if (e.isFile()) {
      const st = await lstat(abs).catch(() => undefined)
      if (st?.isFile()) out.push({ rel, abs, symlink: false, size: st.size, mtimeMs: st.mtimeMs })
    }
  }
}

async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256')
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer)
  return h.digest('hex')
}

async function readHead(path: string, n: number): Promise<Uint8Array> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(n)
    const { bytesRead } = await fh.read(buf, 0, n, 0)
    return buf.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}

/** A free name in `dir` for `name`: unchanged, or with a numbered suffix; shortened when too long for the file system. */
async function freeTarget(dir: string, name: string): Promise<string> {
  const ext = extname(name).slice(0, 16)
  let stem = name.slice(0, name.length - extname(name).length)
  while (Buffer.byteLength(stem + ext) > 200) stem = [...stem].slice(0, -1).join('')
  for (let i = 0; i < 10_000; i++) {
    const candidate = join(dir, i === 0 ? `${stem}${ext}` : `${stem} (${i + 1})${ext}`)
    if (!(await lstat(candidate).catch(() => undefined))) return candidate
  }
  return join(dir, `${stem}-${Date.now()}${ext}`)
}

async function moveInto(root: string, area: string, file: Seen): Promise<string> {
  const dir = join(root, area, dirname(file.rel))
  await mkdir(dir, { recursive: true })
  const target = await freeTarget(dir, basename(file.rel))
  await rename(file.abs, target)
  return target
}

function errorText(error: IntakeError, file: Seen, documentId: string): string {
  return [
    `Fichier refusé : ${file.rel}`,
    error.message.fr,
    '',
    `File refused: ${file.rel}`,
    error.message.en,
    '',
    `code: ${error.code}`,
    `document: ${documentId}`,
    `date: ${new Date().toISOString()}`,
    '',
  ].join('\n')
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
  })

/**
 * A watched folder. A file is taken once its size and date stayed the same across two checks
 * `settleMs` apart (a file renamed into place is stable at once). It is moved to processed/ (or left)
 * only after its bytes and document row are committed, so a crash leaves it in the inbox, where the
 * next scan finds it again (a duplicate then: just moved). Refused files go to rejected/ with a
 * `.error.txt` beside them; with `afterIntake: 'leave'` every file, refused or not, stays where it is. Symbolic links are never followed, and nothing outside the root is read.
 */
export function folderSource(rawConfig: unknown, logger: Logger, confinement: FolderConfinement): SourceAdapter {
  return {
    async scan(ctx: ScanContext) {
      const config: FolderConfig = FolderConfigSchema.parse(rawConfig)
      // Checked again at every scan: the operator's roots may have changed, or a link been put in the path.
      const confined = await confineFolder(config.path, confinement, { create: true })
      if (!confined.ok) throw new Error(`${confined.reason.en} / ${confined.reason.fr}`)
      const root = confined.path

      const first: Seen[] = []
      await walk(root, root, config.recursive, first)
      if (first.length === 0) return {}
      if (config.settleMs > 0) await sleep(config.settleMs, ctx.signal)
      const again: Seen[] = []
      await walk(root, root, config.recursive, again)
      const now = new Map(again.map((s) => [s.rel, s]))
      const stable = first
        .filter((s) => {
          const n = now.get(s.rel)
          const same = n !== undefined && n.size === s.size && n.mtimeMs === s.mtimeMs && n.symlink === s.symlink
          if (!same && n) ctx.stats.unsettled++
          return same
        })
        .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))
      const batch = stable.slice(0, config.maxFilesPerScan)

      for (const file of batch) {
        if (ctx.signal.aborted) break
        try {
          await takeFile(ctx, root, config, file)
        } catch (e) {
          // Another scan of this folder (a catch-up scan beside a regular one) took it first.
          if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !(await lstat(file.abs).catch(() => undefined))) continue
          ctx.stats.failed++
          const msg = e instanceof Error ? e.message : String(e)
          ctx.note(`${file.rel}: ${msg}`)
          logger.warn({ file: file.rel, err: msg }, 'folder source could not take a file; it stays in place')
        }
      }
      return { more: stable.length > batch.length }
    },
  }
}

async function takeFile(ctx: ScanContext, root: string, config: FolderConfig, file: Seen): Promise<void> {
  const meta = { path: file.rel, size: file.size, modifiedAt: new Date(file.mtimeMs).toISOString() }
  let outcome: ReceiveOutcome
  if (file.symlink) {
    const target = await readlink(file.abs).catch(() => '')
    outcome = await ctx.receive({
      sourceRef: file.rel,
      checksum: 'symlink:' + createHash('sha256').update(target).digest('hex'),
      filename: basename(file.rel),
      hostMetadata: { ...meta, symlink: true },
      candidate: { path: file.rel },
      refused: intakeError('file_unreadable'),
      read: async () => ({ bytes: new Uint8Array(), size: 0 }),
    })
  } else {
    outcome = await ctx.receive({
      sourceRef: file.rel,
      filename: basename(file.rel),
      hostMetadata: meta,
      candidate: { path: file.rel },
      read: async () => {
        // Never read through a path that leaves the root (a parent replaced by a link meanwhile).
        const real = await realpath(file.abs)
        if (!real.startsWith(root + sep)) throw new Error('the file resolves outside the watched folder; refused')
        if (file.size > MAX_INTAKE_BYTES) return { bytes: await readHead(file.abs, 1024), size: file.size, sha256: await hashFile(file.abs) }
        const fh = await open(file.abs, 'r')
        try {
          const bytes = await fh.readFile()
          const st = await fh.stat()
          if (st.size !== bytes.length || st.mtimeMs !== file.mtimeMs) throw new Error('the file changed while it was read; it will be taken at the next scan')
          return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), size: bytes.length }
        } finally {
          await fh.close()
        }
      },
    })
  }
  if (outcome.kind === 'skipped') return
  const refusal = outcome.kind === 'refused' || isIntakeRefusal(outcome.document.analysis_error) ? (outcome.document.analysis_error as IntakeError) : null
  // Only now, with the row committed, may the file leave the inbox.
  if (config.afterIntake === 'leave') return
  if (refusal) {
    const target = await moveInto(root, REJECTED_DIR, file)
    await writeFile(`${target}.error.txt`, errorText(refusal, file, outcome.document.id))
  } else {
    const target = await moveInto(root, PROCESSED_DIR, file)
    // Where the PDF now is (a name taken there gets a suffix): the write-back file goes beside it.
    await ctx.located?.(outcome.document.id, relative(root, target).split(sep).join('/'))
  }
}

function isIntakeRefusal(e: unknown): e is IntakeError {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' && e.code.startsWith('file_')
}
