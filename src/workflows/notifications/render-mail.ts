import type { Localized } from '../../domain/localized'

export type Lang = 'fr' | 'en'

export interface MailItem {
  readonly text: string
  /** A second line: the reasons, Chorus Pro's comment. */
  readonly detail?: string | null
  /** An absolute link into the tab pages. */
  readonly link?: string | null
}

export interface MailSection {
  readonly heading: string
  readonly items: readonly MailItem[]
  /** How many were left out of the list (shown as "and N more"). */
  readonly more?: number
  /** Where the whole list is (a tab page). */
  readonly link?: { readonly label: string; readonly href: string } | null
}

export interface RenderedMail {
  readonly subject: string
  readonly text: string
  readonly html: string
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

export const tr = (lang: Lang, m: Localized) => m[lang]

const FOOTER: Localized = {
  fr: 'Envoyé par Chorus Pro Connector. Les destinataires et l’heure du résumé se règlent dans les paramètres (onglet Paramètres ou API /api/v1/notifications).',
  en: 'Sent by Chorus Pro Connector. Recipients and the digest hour are set in the settings (Settings tab or the /api/v1/notifications API).',
}

/**
 * One e-mail in two forms, plain text and HTML (inline styles only: mail clients drop style sheets),
 * from a title, an introduction and sections of items with their links. Every value is escaped.
 */
export function renderMail(lang: Lang, subject: string, title: string, intro: string, sections: readonly MailSection[]): RenderedMail {
  const more = (n: number) => (lang === 'fr' ? `… et ${n} de plus` : `… and ${n} more`)
  const text = [
    title,
    '',
    intro,
    ...sections.flatMap((s) => [
      '',
      `== ${s.heading} ==`,
      ...s.items.flatMap((i) => [`- ${i.text}`, ...(i.detail ? [`  ${i.detail}`] : []), ...(i.link ? [`  ${i.link}`] : [])]),
      ...(s.more ? [more(s.more)] : []),
      ...(s.link ? [`${s.link.label}${lang === 'fr' ? ' : ' : ': '}${s.link.href}`] : []),
    ]),
    '',
    '--',
    tr(lang, FOOTER),
    '',
  ].join('\n')

  const item = (i: MailItem) =>
    `<li style="margin:0 0 8px 0">${i.link ? `<a href="${esc(i.link)}" style="color:#000091">${esc(i.text)}</a>` : esc(i.text)}${i.detail ? `<br><span style="color:#555;font-size:13px">${esc(i.detail)}</span>` : ''}</li>`
  const section = (s: MailSection) =>
    `<h2 style="font-size:16px;margin:24px 0 8px 0;color:#161616;border-bottom:2px solid #000091;padding-bottom:4px">${esc(s.heading)}</h2>` +
    `<ul style="padding-left:20px;margin:0">${s.items.map(item).join('')}</ul>` +
    (s.more ? `<p style="color:#555;margin:4px 0">${esc(more(s.more))}</p>` : '') +
    (s.link ? `<p style="margin:8px 0"><a href="${esc(s.link.href)}" style="color:#000091;font-weight:bold">${esc(s.link.label)} →</a></p>` : '')
  const html = `<!DOCTYPE html><html lang="${lang}"><head><meta charset="utf-8"><title>${esc(subject)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f6f6f6;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#161616">` +
    `<div style="max-width:680px;margin:0 auto;background:#fff;padding:24px 28px">` +
    `<h1 style="font-size:20px;margin:0 0 8px 0">${esc(title)}</h1>` +
    `<p style="margin:0 0 8px 0">${esc(intro)}</p>` +
    sections.map(section).join('') +
    `<p style="color:#666;font-size:12px;margin-top:32px;border-top:1px solid #ddd;padding-top:8px">${esc(tr(lang, FOOTER))}</p>` +
    `</div></body></html>`
  return { subject, text, html }
}

/** 29/11/2026 (fr), 29 Nov 2026 (en), in Paris. */
export function parisDay(d: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: 'Europe/Paris', day: '2-digit', month: lang === 'fr' ? '2-digit' : 'short', year: 'numeric' }).format(d)
}

/** 29/11/2026 14:05 (fr), 29 Nov 2026, 14:05 (en), in Paris. */
export function parisMoment(d: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: 'Europe/Paris', day: '2-digit', month: lang === 'fr' ? '2-digit' : 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(d)
}
