import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFString, type PDFObject } from 'pdf-lib'
import { standardDecryptor, type StreamDecryptor } from './pdf-decryption'
import { RawPdf, nameOf, type RawObject } from './raw-pdf-objects'
import { DecodeBudget, decodeFilterChain, fullFilterName, tooHeavy, type DecodeParms, type FilterStep } from './stream-filters'

/** How an attachment was reached; kept so a test can prove every path is really walked. */
export type EmbeddedFileVia = 'names' | 'kids' | 'af' | 'page_af'

export interface EmbeddedFile {
  /** The attachment's name as a plain file name (no path, no control characters: see safeFileName). */
  readonly filename: string
  readonly bytes: Uint8Array
  readonly via: EmbeddedFileVia
  /** /AFRelationship (Factur-X requires Data or Alternative), when present. */
  readonly relationship: string | null
}

export interface FoundEmbeddedFiles {
  readonly files: EmbeddedFile[]
  /** Attachments skipped (too big, undecodable), for warnings. */
  readonly skipped: Array<{ filename: string; reason: string }>
}

export interface ScanPdfOptions {
  /** Decoded bytes the whole document may cost (default 64 MB). */
  readonly budget?: DecodeBudget
  /** Pages whose content is read (same choice as the text reader): first and last halves of this many. */
  readonly maxTextPages?: number
  /** Attachments decoded past this size are reported as skipped (they still count in the budget). */
  readonly maxFileBytes?: number
  /** Pages whose /AF is looked at (Factur-X puts /AF on the catalog; some writers put it on page 1). */
  readonly maxPagesForAf?: number
}

export interface PdfStreamScan {
  /** Leaves of the page tree found (0 when there is no page tree we can follow: pdf.js then decides). */
  readonly pages: number
  readonly embedded: FoundEmbeddedFiles
  readonly encrypted: boolean
  /** Decoded bytes spent. */
  readonly decodedBytes: number
}

const MAX_DEPTH = 32
const MAX_NODES = 10_000
/** Nested forms, fonts and their resources: deeper or larger than this, the document is refused (not left unchecked). */
const MAX_RESOURCE_DEPTH = 100
const MAX_RESOURCE_NODES = 200_000

/**
 * Walks the raw objects of a PDF before pdf.js or pdf-lib is given it, and decodes (bounded, one
 * budget for the document) every stream either of them would decode while we analyse it:
 *
 * - object streams and cross-reference streams (both libraries decode them to find objects);
 * - the content streams of the pages the text reader reads, and everything their resources reach
 *   (fonts and their CMaps, form XObjects and their own resources), images excepted (text reading
 *   never decodes an image);
 * - embedded files (the /EmbeddedFiles name tree and /AF of the catalog and first pages), which are
 *   returned decoded, so nothing decodes them a second time.
 *
 * Several definitions of one object number are all followed. Over the budget: PdfAnalysisError
 * `pdf_too_heavy`. Encrypted documents (standard security handler, empty user password) are decrypted
 * here first; with a user password nothing can be decoded, by us or by pdf.js.
 */
export async function scanPdfStreams(bytes: Uint8Array, opts: ScanPdfOptions = {}): Promise<PdfStreamScan> {
  const budget = opts.budget ?? new DecodeBudget()
  const raw = new RawPdf(bytes)
  const decoded = new Map<RawObject, Uint8Array>()

  // Trailers, and what pdf.js would take for one when repairing a file: any dictionary with /Root
  // (cross-reference streams among them).
  const trailerLike = [...raw.trailers, ...raw.objects.map((o) => o.value).filter((v): v is PDFDict => v instanceof PDFDict && v.has(PDFName.of('Root')))]
  const encryptDict = trailerLike.flatMap((t) => raw.resolveAll(t.get(PDFName.of('Encrypt')))).find((d): d is PDFDict => d instanceof PDFDict)
  let decryptor: StreamDecryptor | null = null
  if (encryptDict) {
    const id = trailerLike.map((t) => raw.resolve(t.get(PDFName.of('ID')))).find((v) => v instanceof PDFArray)
    decryptor = standardDecryptor(encryptDict, id instanceof PDFArray ? id : null, (o) => raw.resolve(o))
  }
  const xrefStreams = raw.objects.filter((o) => o.data && isXRefStream(o.value as PDFDict))

  const decode = async (o: RawObject, what: string): Promise<Uint8Array | null> => {
    if (decoded.has(o)) return decoded.get(o)!
    const dict = o.value as PDFDict
    const steps = filterSteps(dict, raw)
    let data = o.data!
    // As pdf.js decrypts: every stream with the /StmF crypt filter, cross-reference streams excepted.
    if (decryptor && !isXRefStream(dict)) data = decryptor.decrypt(o.num, o.gen, data)
    const out = await decodeFilterChain(data, steps, budget, what)
    const bytes = out.imageEncoded ? null : out.bytes
    decoded.set(o, bytes ?? new Uint8Array(0))
    return bytes
  }

  // 1. Object and cross-reference streams: decoded by both libraries as soon as they load the file.
  for (const o of xrefStreams) await decode(o, 'xref')
  for (const o of raw.objects.filter((x) => x.data && isObjectStream(x.value as PDFDict))) {
    const out = await decode(o, 'object_stream')
    if (out) raw.addObjectStream(o, out)
  }

  // 2. The catalogs: what the trailers (as above, now with the objects of object streams too) name,
  // and any object that calls itself a catalog.
  const catalogs = new Set<PDFDict>()
  const rootHolders = [...raw.trailers, ...raw.objects.map((o) => o.value).filter((v): v is PDFDict => v instanceof PDFDict && v.has(PDFName.of('Root')))]
  for (const t of rootHolders) for (const c of raw.resolveAll(t.get(PDFName.of('Root')))) if (c instanceof PDFDict) catalogs.add(c)
  for (const o of raw.objects) if (o.value instanceof PDFDict && !o.data && nameOf(o.value.get(PDFName.of('Type'))) === 'Catalog') catalogs.add(o.value)

  // 3. Pages, in tree order. pdf.js finds page i through the /Count of each node: when a count does
  // not match the leaves below it, or an object on the way has several definitions, which pages it
  // reads cannot be told from here, and every page is counted.
  const pages: Array<{ node: PDFDict; ancestors: PDFDict[] }> = []
  let ambiguous = catalogs.size > 1
  let nodes = 0
  const seenNodes = new Set<PDFDict>()
  const walkPages = (ref: PDFObject | undefined, ancestors: PDFDict[]): number => {
    const all = raw.resolveAll(ref)
    if (all.length > 1) ambiguous = true
    let leaves = 0
    for (const n of all) {
      if (!(n instanceof PDFDict) || seenNodes.has(n)) continue
      if (ancestors.length > MAX_DEPTH || ++nodes > MAX_NODES) throw tooHeavy(budget.limit, 'page_tree', 'too_many_objects')
      seenNodes.add(n)
      const kids = raw.resolve(n.get(PDFName.of('Kids')))
      if (kids instanceof PDFArray && nameOf(n.get(PDFName.of('Type'))) !== 'Page') {
        let below = 0
        for (const k of kids.asArray()) below += walkPages(k, [...ancestors, n])
        const count = raw.resolve(n.get(PDFName.of('Count')))
        if (!(count instanceof PDFNumber) || count.asNumber() !== below) ambiguous = true
        leaves += below
      } else {
        pages.push({ node: n, ancestors })
        leaves++
      }
    }
    return leaves
  }
  for (const c of catalogs) walkPages(c.get(PDFName.of('Pages')), [])

  // 4. What the text reader decodes on the pages it reads: contents, and what their resources reach
  // (fonts and their files and CMaps, forms and their own resources), except image XObjects.
  const seen = new Set<PDFObject>()
  let resourceNodes = 0
  const spendStream = async (o: RawObject, what: string) => {
    if (seen.has(o.value)) return
    seen.add(o.value)
    await decode(o, what)
  }
  /** `role`: 'xobjects' for the value of an /XObject key, 'xobject' for each entry of that dictionary. */
  const walkResources = async (v: PDFObject | undefined, depth: number, role: 'xobjects' | 'xobject' | null): Promise<void> => {
    if (v === undefined) return
    if (depth > MAX_RESOURCE_DEPTH || ++resourceNodes > MAX_RESOURCE_NODES) throw tooHeavy(budget.limit, 'resources', 'too_many_objects')
    const defs = raw.definitionsOf(v)
    const targets: Array<{ value: PDFObject; stream: RawObject | null }> = defs.length
      ? defs.map((d) => ({ value: d.value, stream: d.data ? d : null }))
      : [{ value: v, stream: null }]
    for (const { value, stream } of targets) {
      if (seen.has(value)) continue
      if (stream) {
        const dict = value as PDFDict
        // An image XObject is never decoded for text; the same stream reached another way (a font
        // file, a page's contents) is.
        if (role === 'xobject' && nameOf(raw.resolve(dict.get(PDFName.of('Subtype')))) === 'Image') continue
        await spendStream(stream, 'resource')
        for (const [k, x] of dict.entries()) await walkResources(x, depth + 1, k.decodeText() === 'XObject' ? 'xobjects' : null)
        continue
      }
      if (value instanceof PDFDict) {
        seen.add(value)
        for (const [k, x] of value.entries()) {
          const key = k.decodeText()
          if (key !== 'Parent') await walkResources(x, depth + 1, role === 'xobjects' ? 'xobject' : key === 'XObject' ? 'xobjects' : null)
        }
      } else if (value instanceof PDFArray) {
        seen.add(value)
        for (const x of value.asArray()) await walkResources(x, depth + 1, null)
      }
    }
  }
  const toRead = ambiguous ? pages : pagesToRead(pages, opts.maxTextPages ?? 20)
  for (const { node, ancestors } of toRead) {
    const contents = node.get(PDFName.of('Contents'))
    const parts = raw.resolveAll(contents).flatMap((c) => (c instanceof PDFArray ? c.asArray() : [contents!]))
    for (const part of parts) for (const d of raw.definitionsOf(part)) if (d.data) await spendStream(d, 'content')
    for (const n of [node, ...ancestors]) await walkResources(n.get(PDFName.of('Resources')), 0, null)
  }
  // pdf.js looks into an XFA form's stream when it opens a document (whether it is empty).
  for (const c of catalogs) {
    const acroForm = raw.resolve(c.get(PDFName.of('AcroForm')))
    if (!(acroForm instanceof PDFDict)) continue
    const xfa = acroForm.get(PDFName.of('XFA'))
    const parts = raw.resolveAll(xfa).flatMap((x) => (x instanceof PDFArray ? x.asArray() : [xfa!]))
    for (const part of parts) for (const d of raw.definitionsOf(part)) if (d.data) await spendStream(d, 'xfa')
  }

  // 5. Embedded files.
  const embedded = await embeddedFiles(raw, catalogs, pages.slice(0, opts.maxPagesForAf ?? 3), decode, opts.maxFileBytes ?? 10 * 1024 * 1024)
  return { pages: pages.length, embedded, encrypted: decryptor !== null || encryptDict !== undefined, decodedBytes: budget.spent }
}

async function embeddedFiles(
  raw: RawPdf,
  catalogs: ReadonlySet<PDFDict>,
  firstPages: ReadonlyArray<{ node: PDFDict }>,
  decode: (o: RawObject, what: string) => Promise<Uint8Array | null>,
  maxFileBytes: number,
): Promise<FoundEmbeddedFiles> {
  const files: EmbeddedFile[] = []
  const skipped: Array<{ filename: string; reason: string }> = []
  const seenSpecs = new Set<PDFObject>()
  let nodes = 0

  const addSpec = async (specObj: PDFObject | undefined, via: EmbeddedFileVia, keyName: string | null) => {
    for (const spec of raw.resolveAll(specObj)) {
      if (!(spec instanceof PDFDict) || seenSpecs.has(spec)) continue
      seenSpecs.add(spec)
      const filename = safeFileName(textOf(raw.resolve(spec.get(PDFName.of('UF')))) ?? textOf(raw.resolve(spec.get(PDFName.of('F')))) ?? keyName ?? 'attachment')
      const relationship = nameOf(raw.resolve(spec.get(PDFName.of('AFRelationship'))))
      const ef = raw.resolve(spec.get(PDFName.of('EF')))
      if (!(ef instanceof PDFDict)) continue
      const streams = [...raw.definitionsOf(ef.get(PDFName.of('F'))), ...raw.definitionsOf(ef.get(PDFName.of('UF')))].filter((d) => d.data)
      let taken = false
      for (const s of streams) {
        const bytes = await decode(s, 'embedded_file')
        if (taken) continue
        taken = true
        if (bytes === null) skipped.push({ filename, reason: 'undecodable: image filter' })
        else if (bytes.length > maxFileBytes) skipped.push({ filename, reason: 'too_large' })
        else files.push({ filename, bytes, via, relationship })
      }
    }
  }

  const walkNameTree = async (nodeObj: PDFObject | undefined, depth: number, visited: Set<PDFObject>) => {
    for (const node of raw.resolveAll(nodeObj)) {
      if (!(node instanceof PDFDict) || visited.has(node) || depth > MAX_DEPTH || ++nodes > MAX_NODES) continue
      visited.add(node)
      const names = raw.resolve(node.get(PDFName.of('Names')))
      if (names instanceof PDFArray) {
        for (let i = 0; i + 1 < names.size(); i += 2) await addSpec(names.get(i + 1), depth === 0 ? 'names' : 'kids', textOf(raw.resolve(names.get(i))))
      }
      const kids = raw.resolve(node.get(PDFName.of('Kids')))
      if (kids instanceof PDFArray) for (const k of kids.asArray()) await walkNameTree(k, depth + 1, visited)
    }
  }
  const walkAf = async (afObj: PDFObject | undefined, via: EmbeddedFileVia) => {
    const af = raw.resolve(afObj)
    if (af instanceof PDFArray) for (const s of af.asArray().slice(0, 1000)) await addSpec(s, via, null)
  }

  for (const catalog of catalogs) {
    const names = raw.resolve(catalog.get(PDFName.of('Names')))
    if (names instanceof PDFDict) await walkNameTree(names.get(PDFName.of('EmbeddedFiles')), 0, new Set())
  }
  for (const catalog of catalogs) await walkAf(catalog.get(PDFName.of('AF')), 'af')
  for (const { node } of firstPages) await walkAf(node.get(PDFName.of('AF')), 'page_af')
  return { files, skipped }
}

/** The filter chain of a stream dictionary, as pdf.js reads it (/F or /Filter, /DP or /DecodeParms). */
function filterSteps(dict: PDFDict, raw: RawPdf): FilterStep[] {
  const filter = raw.resolve(dict.get(PDFName.of('F')) ?? dict.get(PDFName.of('Filter')))
  const parms = raw.resolve(dict.get(PDFName.of('DP')) ?? dict.get(PDFName.of('DecodeParms')))
  const parmsOf = (p: PDFObject | undefined): DecodeParms | null => {
    if (!(p instanceof PDFDict)) return null
    const num = (...keys: string[]) => {
      for (const k of keys) {
        const v = raw.resolve(p.get(PDFName.of(k)))
        if (v instanceof PDFNumber) return v.asNumber()
      }
      return undefined
    }
    return { Predictor: num('Predictor'), Colors: num('Colors'), BitsPerComponent: num('BPC', 'BitsPerComponent'), Columns: num('Columns'), EarlyChange: num('EarlyChange') }
  }
  if (filter instanceof PDFName) return [{ name: fullFilterName(filter.decodeText()), parms: parmsOf(parms) }]
  if (filter instanceof PDFArray) {
    return filter.asArray().map((f, i) => {
      const name = raw.resolve(f)
      const p = parms instanceof PDFArray ? raw.resolve(parms.get(i)) : undefined
      // pdf.js refuses a chain with a non-name entry; an unknown name decodes to nothing we count.
      return { name: name instanceof PDFName ? fullFilterName(name.decodeText()) : '?', parms: parmsOf(p) }
    })
  }
  return []
}

function isObjectStream(d: PDFDict): boolean {
  return nameOf(d.get(PDFName.of('Type'))) === 'ObjStm' || (d.has(PDFName.of('N')) && d.has(PDFName.of('First')))
}

function isXRefStream(d: PDFDict): boolean {
  return nameOf(d.get(PDFName.of('Type'))) === 'XRef' || d.has(PDFName.of('W'))
}

function pagesToRead<T>(pages: readonly T[], max: number): T[] {
  if (pages.length <= max) return [...pages]
  const head = Math.ceil(max / 2)
  return [...pages.slice(0, head), ...pages.slice(pages.length - (max - head))]
}

function textOf(o: PDFObject | undefined): string | null {
  if (o instanceof PDFString || o instanceof PDFHexString) return o.decodeText()
  return null
}

/**
 * An attachment's name as a plain file name: the last path segment, without control or
 * bidirectional-override characters, at most 255 characters. Names only label data here (nothing is
 * written to disk under them), but they reach logs, warnings and the person's screen.
 */
export function safeFileName(name: string): string {
  const cleaned = name
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .split(/[/\\]/)
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    .pop()
  return (cleaned ?? '').trim().slice(0, 255) || 'attachment'
}
