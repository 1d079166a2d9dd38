import { create } from 'xmlbuilder2'
import { PdfAnalysisError } from './pdf-analysis-error'
import { CII_NS, readCiiInvoice } from './read-cii-invoice'
import { readUblInvoice, UBL_NS } from './read-ubl-invoice'
import { readZugferd1Invoice, ZUGFERD1_NS } from './read-zugferd1-invoice'
import type { XmlElement } from './xml-elements'
import type { XmlInvoice } from './xml-invoice'

export const MAX_XML_BYTES = 5 * 1024 * 1024

/**
 * Parses an embedded invoice XML. A DOCTYPE has no place in CII or UBL and is how entity-expansion
 * ("billion laughs") and XXE attacks start, so it is refused before any parser sees the text, on top
 * of xmlbuilder2 not expanding entities. Returns null when the XML is not a CII, UBL or ZUGFeRD 1.0 invoice.
 */
export function parseInvoiceXml(bytes: Uint8Array): XmlInvoice | null {
  if (bytes.length > MAX_XML_BYTES) throw new PdfAnalysisError('pdf_xml_unsafe', { reason: 'too_large', bytes: bytes.length })
  const text = decodeXml(bytes)
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new PdfAnalysisError('pdf_xml_unsafe', { reason: 'doctype' })
  let root: XmlElement
  try {
    root = create(text).root().node as unknown as XmlElement
  } catch {
    return null
  }
  if (root.namespaceURI === CII_NS.rsm && root.localName === 'CrossIndustryInvoice') return readCiiInvoice(root)
  if (root.namespaceURI === ZUGFERD1_NS.rsm && root.localName === 'CrossIndustryDocument') return readZugferd1Invoice(root)
  if (
    (root.namespaceURI === UBL_NS.invoice && root.localName === 'Invoice') ||
    (root.namespaceURI === UBL_NS.creditNote && root.localName === 'CreditNote')
  )
    return readUblInvoice(root)
  return null
}

function decodeXml(bytes: Uint8Array): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes)
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes)
  // Older writers (ZUGFeRD 1.0 among them) declare ISO-8859-1 or windows-1252: decode as they say.
  const prolog = new TextDecoder('latin1').decode(bytes.subarray(0, 100))
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_-]+)["']/.exec(prolog)?.[1]?.toLowerCase()
  if (declared && /^(iso-8859-1|iso-8859-15|latin1|windows-1252|cp1252)$/.test(declared)) return new TextDecoder(declared === 'iso-8859-15' ? 'iso-8859-15' : 'windows-1252').decode(bytes)
  return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '')
}
