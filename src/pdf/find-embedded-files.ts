import { inflateSync } from 'node:zlib'
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFRawStream,
  PDFRef,
  PDFString,
  decodePDFRawStream,
  type PDFObject,
} from 'pdf-lib'

/** How an attachment was reached; kept so a test can prove every path is really walked. */
export type EmbeddedFileVia = 'names' | 'kids' | 'af' | 'page_af'

export interface EmbeddedFile {
  readonly filename: string
  readonly bytes: Uint8Array
  readonly via: EmbeddedFileVia
  /** /AFRelationship (Factur-X requires Data or Alternative), when present. */
  readonly relationship: string | null
}

export interface FindEmbeddedFilesOptions {
  /** Decoded size above which an attachment is skipped: a flate bomb must not fill the worker's heap. */
  readonly maxFileBytes?: number
  /** Pages whose /AF is looked at (Factur-X puts /AF on the catalog; some writers put it on page 1). */
  readonly maxPagesForAf?: number
}

export interface FoundEmbeddedFiles {
  readonly files: EmbeddedFile[]
  /** Attachments skipped (too big, undecodable), for warnings. */
  readonly skipped: Array<{ filename: string; reason: string }>
}

const MAX_TREE_DEPTH = 32
const MAX_NODES = 10_000

/**
 * Walks the PDF catalog with pdf-lib: the /Names /EmbeddedFiles name tree (following /Kids, which
 * pdfjs-dist also does) and the associated files (/AF) of the catalog and of the first pages, which
 * pdfjs-dist's getAttachments() ignores; a Factur-X writer may register the XML only there.
 * Decoding is bounded (zlib maxOutputLength), unlike pdf-lib's own decoder.
 */
export async function findEmbeddedFiles(pdfBytes: Uint8Array, opts: FindEmbeddedFilesOptions = {}): Promise<FoundEmbeddedFiles> {
  const maxFileBytes = opts.maxFileBytes ?? 10 * 1024 * 1024
  const doc = await PDFDocument.load(pdfBytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false })
  const ctx = doc.context
  const files: EmbeddedFile[] = []
  const skipped: Array<{ filename: string; reason: string }> = []
  const seenSpecs = new Set<PDFObject>()
  let nodes = 0

  const lookup = (o: PDFObject | undefined): PDFObject | undefined => (o instanceof PDFRef ? ctx.lookup(o) : o)

  const addSpec = (specObj: PDFObject | undefined, via: EmbeddedFileVia, keyName: string | null) => {
    const spec = lookup(specObj)
    if (!(spec instanceof PDFDict) || seenSpecs.has(spec)) return
    seenSpecs.add(spec)
    const filename = textOf(spec.get(PDFName.of('UF'))) ?? textOf(spec.get(PDFName.of('F'))) ?? keyName ?? 'attachment'
    const relationship = nameOf(spec.get(PDFName.of('AFRelationship')))
    const ef = lookup(spec.get(PDFName.of('EF')))
    if (!(ef instanceof PDFDict)) return
    const stream = lookup(ef.get(PDFName.of('F'))) ?? lookup(ef.get(PDFName.of('UF')))
    if (!(stream instanceof PDFRawStream)) return
    try {
      const bytes = decodeBounded(stream, maxFileBytes)
      if (!bytes) skipped.push({ filename, reason: 'too_large' })
      else files.push({ filename, bytes, via, relationship })
    } catch (e) {
      skipped.push({ filename, reason: `undecodable: ${(e as Error).message}` })
    }
  }

  const walkNameTree = (nodeObj: PDFObject | undefined, depth: number, visited: Set<PDFObject>) => {
    const node = lookup(nodeObj)
    if (!(node instanceof PDFDict) || visited.has(node) || depth > MAX_TREE_DEPTH || ++nodes > MAX_NODES) return
    visited.add(node)
    const names = lookup(node.get(PDFName.of('Names')))
    if (names instanceof PDFArray) {
      for (let i = 0; i + 1 < names.size(); i += 2) addSpec(names.get(i + 1), depth === 0 ? 'names' : 'kids', textOf(lookup(names.get(i))))
    }
    const kids = lookup(node.get(PDFName.of('Kids')))
    if (kids instanceof PDFArray) for (let i = 0; i < kids.size(); i++) walkNameTree(kids.get(i), depth + 1, visited)
  }

  const catalog = doc.catalog
  const namesDict = lookup(catalog.get(PDFName.of('Names')))
  if (namesDict instanceof PDFDict) walkNameTree(namesDict.get(PDFName.of('EmbeddedFiles')), 0, new Set())

  const walkAf = (afObj: PDFObject | undefined, via: EmbeddedFileVia) => {
    const af = lookup(afObj)
    if (af instanceof PDFArray) for (let i = 0; i < Math.min(af.size(), 1000); i++) addSpec(af.get(i), via, null)
  }
  walkAf(catalog.get(PDFName.of('AF')), 'af')
  const pages = doc.getPages()
  for (const page of pages.slice(0, opts.maxPagesForAf ?? 3)) walkAf(page.node.get(PDFName.of('AF')), 'page_af')

  return { files, skipped }
}

function decodeBounded(stream: PDFRawStream, maxBytes: number): Uint8Array | null {
  const filter = stream.dict.lookup(PDFName.of('Filter'))
  const filterName = filter instanceof PDFName ? filter.asString() : filter instanceof PDFArray && filter.size() === 1 ? String(filter.get(0)) : null
  if (!filter) return stream.contents.length > maxBytes ? null : stream.contents
  if (filterName === '/FlateDecode' && !stream.dict.has(PDFName.of('DecodeParms'))) {
    try {
      return new Uint8Array(inflateSync(stream.contents, { maxOutputLength: maxBytes }))
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return null
      throw e
    }
  }
  // Rare filters (predictors, LZW, ASCII85): pdf-lib decodes them; the worker's memory bound is the backstop.
  const out = decodePDFRawStream(stream).decode()
  return out.length > maxBytes ? null : out
}

function textOf(o: PDFObject | undefined): string | null {
  if (o instanceof PDFString || o instanceof PDFHexString) return o.decodeText()
  return null
}

function nameOf(o: PDFObject | undefined): string | null {
  return o instanceof PDFName ? o.decodeText() : null
}
