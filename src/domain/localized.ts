/** Every message a person reads exists in French (the default) and English. */
export interface Localized {
  readonly fr: string
  readonly en: string
}

export type Lang = keyof Localized

/** Picks the language from an Accept-Language header or a `lang` value; French unless English is preferred. */
export function pickLang(acceptLanguage: string | null | undefined): Lang {
  if (!acceptLanguage) return 'fr'
  const prefs = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';')
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p.trim())?.[1]).find(Boolean)
      return { tag: tag ?? '', q: q === undefined ? 1 : Number(q) }
    })
    .sort((a, b) => b.q - a.q)
  for (const p of prefs) {
    if (p.tag.startsWith('fr')) return 'fr'
    if (p.tag.startsWith('en')) return 'en'
  }
  return 'fr'
}

export function localized(fr: string, en: string): Localized {
  return { fr, en }
}
