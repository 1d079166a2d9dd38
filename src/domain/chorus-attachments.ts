import type { Localized } from './localized'

/**
 * Chorus Pro's attachment rules (reference "Updates checked 2026-11": AIFE, "Pièces jointes dans Chorus
 * Pro : quelques règles à respecter", as enforced by OCA 17.0 `_check_chorus_attachments` in
 * l10n_fr_chorus_account/models/account_move.py): a name of at most 50 characters including a required
 * extension from the list below; each file under 10 MB; the invoice with its attachments at most 120 MB;
 * no empty file. Checked before any call, so a person reads which file breaks which limit instead of a
 * refusal from Chorus Pro after part of the work was done.
 *
 * Sizes in MB are mebibytes (1,048,576 bytes), as OCA counts them. OCA caps the attachments at 118 MB to
 * leave room for an invoice it does not measure; we know the invoice's size and count it, so the total
 * limit is Chorus Pro's own 120 MB.
 */
export const ATTACHMENT_NAME_MAX_CHARS = 50
const MB = 1024 * 1024
/** Each file must be strictly under this. */
export const ATTACHMENT_MAX_BYTES = 10 * MB
/** The invoice plus all its attachments, at most. */
export const INVOICE_WITH_ATTACHMENTS_MAX_BYTES = 120 * MB

/** OCA 17.0's CHORUS_ALLOWED_FORMATS (35 extensions), each with the MIME type ajouter/fichier is given. */
export const ATTACHMENT_TYPES: Readonly<Record<string, string>> = {
  bmp: 'image/bmp', gif: 'image/gif', fax: 'image/g3fax', odt: 'application/vnd.oasis.opendocument.text',
  ppt: 'application/vnd.ms-powerpoint', tiff: 'image/tiff', xls: 'application/vnd.ms-excel', bz2: 'application/x-bzip2',
  gz: 'application/gzip', jpeg: 'image/jpeg', p7s: 'application/pkcs7-signature', rtf: 'application/rtf',
  txt: 'text/plain', xml: 'application/xml', csv: 'text/csv', gzip: 'application/gzip', jpg: 'image/jpeg',
  pdf: 'application/pdf', svg: 'image/svg+xml', xhtml: 'application/xhtml+xml',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', doc: 'application/msword', htm: 'text/html',
  odp: 'application/vnd.oasis.opendocument.presentation', png: 'image/png', tgz: 'application/gzip',
  xlc: 'application/vnd.ms-excel', zip: 'application/zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', html: 'text/html',
  ods: 'application/vnd.oasis.opendocument.spreadsheet', pps: 'application/vnd.ms-powerpoint', tif: 'image/tiff',
  xlm: 'application/vnd.ms-excel', pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
}

/** The extension after the last dot, lower case; '' when there is none. */
export function attachmentExtension(name: string): string {
  const m = /\.([^./\\]+)$/.exec(name)
  return m ? m[1]!.toLowerCase() : ''
}

export interface AttachmentFacts {
  readonly name: string
  readonly size: number
}

export interface AttachmentProblem {
  readonly code: 'attachment_name_too_long' | 'attachment_extension_missing' | 'attachment_type' | 'attachment_empty' | 'attachment_too_large' | 'attachments_too_large'
  readonly message: Localized
  readonly details: { readonly filename: string; readonly limit: number | string; readonly [k: string]: unknown }
}

/** 10485761 → "10,0 Mo" / "10.0 MB", one decimal rounded up, so a file just over the limit never reads as equal to it. */
function megabytes(bytes: number): Localized {
  const v = Math.ceil((bytes / MB) * 10) / 10
  return { fr: `${v.toFixed(1).replace('.', ',')} Mo`, en: `${v.toFixed(1)} MB` }
}

const TYPES_LIST = Object.keys(ATTACHMENT_TYPES).map((e) => e.toUpperCase()).join(', ')

/** The first rule one file breaks, or null. */
export function attachmentProblem(file: AttachmentFacts): AttachmentProblem | null {
  const name = file.name
  if (name.length > ATTACHMENT_NAME_MAX_CHARS) {
    return {
      code: 'attachment_name_too_long',
      message: {
        fr: `Le nom de la pièce jointe « ${name} » fait ${name.length} caractères : Chorus Pro en accepte ${ATTACHMENT_NAME_MAX_CHARS} au plus, extension comprise. Raccourcissez-le.`,
        en: `The attachment name "${name}" is ${name.length} characters long: Chorus Pro accepts at most ${ATTACHMENT_NAME_MAX_CHARS}, extension included. Shorten it.`,
      },
      details: { filename: name, limit: ATTACHMENT_NAME_MAX_CHARS, length: name.length },
    }
  }
  const ext = attachmentExtension(name)
  if (!ext) {
    return {
      code: 'attachment_extension_missing',
      message: { fr: `La pièce jointe « ${name} » n’a pas d’extension : Chorus Pro en exige une parmi ${TYPES_LIST}.`, en: `The attachment "${name}" has no extension: Chorus Pro requires one of ${TYPES_LIST}.` },
      details: { filename: name, limit: TYPES_LIST },
    }
  }
  if (!ATTACHMENT_TYPES[ext]) {
    return {
      code: 'attachment_type',
      message: {
        fr: `Type de pièce jointe refusé par Chorus Pro : « ${name} » (.${ext}). Formats acceptés : ${TYPES_LIST}.`,
        en: `Attachment type refused by Chorus Pro: "${name}" (.${ext}). Accepted: ${TYPES_LIST}.`,
      },
      details: { filename: name, limit: TYPES_LIST, extension: ext },
    }
  }
  if (file.size === 0) {
    return {
      code: 'attachment_empty',
      message: { fr: `La pièce jointe « ${name} » est vide (0 octet) : Chorus Pro refuse les fichiers vides.`, en: `The attachment "${name}" is empty (0 bytes): Chorus Pro refuses empty files.` },
      details: { filename: name, limit: 1, size: 0 },
    }
  }
  if (file.size >= ATTACHMENT_MAX_BYTES) {
    const size = megabytes(file.size)
    return {
      code: 'attachment_too_large',
      message: {
        fr: `La pièce jointe « ${name} » pèse ${size.fr} : Chorus Pro n’accepte que des fichiers de moins de 10 Mo. Réduisez-la (compression, résolution des images).`,
        en: `The attachment "${name}" weighs ${size.en}: Chorus Pro only accepts files under 10 MB. Make it smaller (compression, image resolution).`,
      },
      details: { filename: name, limit: ATTACHMENT_MAX_BYTES, size: file.size },
    }
  }
  return null
}

/**
 * Every file's own rules, then the total: `alreadyBytes` is what the invoice already weighs in Chorus Pro
 * (its PDF and the attachments sent before). The total problem names the file that takes it over.
 */
export function attachmentsProblem(files: readonly AttachmentFacts[], alreadyBytes = 0): AttachmentProblem | null {
  for (const f of files) {
    const p = attachmentProblem(f)
    if (p) return p
  }
  let total = alreadyBytes
  for (const f of files) {
    total += f.size
    if (total > INVOICE_WITH_ATTACHMENTS_MAX_BYTES) {
      const all = megabytes(alreadyBytes + files.reduce((a, x) => a + x.size, 0))
      return {
        code: 'attachments_too_large',
        message: {
          fr: `Avec la pièce jointe « ${f.name} », la facture et ses pièces jointes pèseraient ${all.fr} : Chorus Pro accepte 120 Mo au plus par facture, pièces jointes comprises.`,
          en: `With the attachment "${f.name}", the invoice and its attachments would weigh ${all.en}: Chorus Pro accepts at most 120 MB per invoice, attachments included.`,
        },
        details: { filename: f.name, limit: INVOICE_WITH_ATTACHMENTS_MAX_BYTES, total: alreadyBytes + files.reduce((a, x) => a + x.size, 0) },
      }
    }
  }
  return null
}
