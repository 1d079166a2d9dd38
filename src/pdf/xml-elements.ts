/**
 * Element lookup by namespace URI and local name on the xmlbuilder2 DOM. Prefixes are the writer's
 * choice (`ram:`, `ns4:`, a default namespace), so matching on them would miss valid invoices.
 */
export interface XmlElement {
  readonly nodeType: number
  readonly localName: string
  readonly namespaceURI: string | null
  readonly textContent: string | null
  readonly childNodes: ArrayLike<XmlElement>
  getAttribute(name: string): string | null
}

const ELEMENT_NODE = 1

export function childElements(el: XmlElement, ns: string, localName: string): XmlElement[] {
  const out: XmlElement[] = []
  const kids = el.childNodes
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i]!
    if (k.nodeType === ELEMENT_NODE && k.localName === localName && k.namespaceURI === ns) out.push(k)
  }
  return out
}

/** Follows a path of [ns, localName] steps, collecting every match (an invoice may repeat a group). */
export function findAll(el: XmlElement | undefined, path: ReadonlyArray<readonly [string, string]>): XmlElement[] {
  if (!el) return []
  let level: XmlElement[] = [el]
  for (const [ns, name] of path) level = level.flatMap((e) => childElements(e, ns, name))
  return level
}

export function findFirst(el: XmlElement | undefined, path: ReadonlyArray<readonly [string, string]>): XmlElement | undefined {
  return findAll(el, path)[0]
}

/** Trimmed text, or null when absent or blank. */
export function textIn(el: XmlElement | undefined, path: ReadonlyArray<readonly [string, string]> = []): string | null {
  const t = (path.length ? findFirst(el, path) : el)?.textContent?.trim()
  return t ? t : null
}
