import type { Localized } from '../domain/localized'

/** Chorus Pro refuses PDF files over 10 MB (chorus-pro-api.md, deposer/pdf). */
export const MAX_INTAKE_BYTES = 10 * 1024 * 1024

export type IntakeErrorCode = 'file_empty' | 'file_not_pdf' | 'file_too_large' | 'file_truncated' | 'file_encrypted' | 'file_unreadable'

export interface IntakeError {
  readonly code: IntakeErrorCode
  readonly message: Localized
}

const MESSAGES: Record<IntakeErrorCode, Localized> = {
  file_empty: { fr: 'Le fichier est vide (0 octet). Déposez de nouveau la facture.', en: 'The file is empty (0 bytes). File the invoice again.' },
  file_not_pdf: { fr: "Le fichier n'est pas un PDF : Chorus Pro n'accepte que des factures PDF. Déposez la facture au format PDF.", en: 'The file is not a PDF: Chorus Pro only takes PDF invoices. File the invoice as a PDF.' },
  file_too_large: { fr: 'Le fichier dépasse 10 Mo, la taille maximale acceptée par Chorus Pro. Réduisez-le (images compressées) et déposez-le de nouveau.', en: 'The file is over 10 MB, the largest Chorus Pro accepts. Make it smaller (compress images) and file it again.' },
  file_truncated: { fr: 'Le PDF est incomplet (fin de fichier absente) : la copie a sans doute été interrompue. Déposez-le de nouveau.', en: 'The PDF is incomplete (its end is missing): the copy was probably interrupted. File it again.' },
  file_encrypted: { fr: 'Le PDF est chiffré ou protégé par un mot de passe : Chorus Pro le refusera. Déposez une version non protégée.', en: 'The PDF is encrypted or password-protected: Chorus Pro will refuse it. File an unprotected version.' },
  file_unreadable: { fr: 'Le fichier ne peut pas être lu (droits ou lien symbolique). Vérifiez le dépôt.', en: 'The file cannot be read (permissions or a symbolic link). Check the filing.' },
}

export function intakeError(code: IntakeErrorCode): IntakeError {
  return { code, message: MESSAGES[code] }
}

/**
 * Cheap checks by header and trailer, before any parsing: what Chorus Pro will certainly refuse is
 * recorded at once with a clear error, the rest goes to analysis. Reads at most a few kilobytes.
 */
export function checkIntakeFile(bytes: Uint8Array, size = bytes.length): IntakeError | null {
  if (size === 0) return intakeError('file_empty')
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1024)).toString('latin1')
  if (!head.includes('%PDF-')) return intakeError('file_not_pdf')
  if (size > MAX_INTAKE_BYTES) return intakeError('file_too_large')
  const tailStart = Math.max(0, bytes.length - 2048)
  const tail = Buffer.from(bytes.buffer, bytes.byteOffset + tailStart, bytes.length - tailStart).toString('latin1')
  // Writers may add a few bytes (newlines, NULs) after the last %%EOF; a cut copy has none near the end.
  if (!tail.includes('%%EOF')) return intakeError('file_truncated')
  // The /Encrypt entry sits in the last trailer or cross-reference stream dictionary, near the end.
  const trailerZone = Buffer.from(bytes.buffer, bytes.byteOffset + Math.max(0, bytes.length - 16384), Math.min(bytes.length, 16384)).toString('latin1')
  if (/\/Encrypt\s*(\d+\s+\d+\s+R|<<)/.test(trailerZone)) return intakeError('file_encrypted')
  return null
}
