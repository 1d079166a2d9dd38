import { create } from 'xmlbuilder2'
import { PdfAnalysisError } from './pdf-analysis-error'
import { CII_NS, readCiiInvoice } from './read-cii-invoice'
import { readUblInvoice, UBL_NS } from './read-ubl-invoice'
import type { XmlElement } from './xml-elements'
import type { XmlInvoice } from './xml-invoice'

export const MAX_XML_BYTES = 5 * 1024 * 1024

/**
 * Parses an embedded invoice XML. A DOCTYPE has no place in CII or UBL and is how entity-expansion
 * ("billion laughs") and XXE attacks start, so it is refused before any parser sees the text, on top
 * of xmlbuilder2 not expanding entities. Returns null when the XML is not a CII or UBL invoice.
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
  return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '')
}
