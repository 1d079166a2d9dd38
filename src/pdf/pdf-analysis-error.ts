import type { Localized } from '../domain/localized'

/**
 * Why a document could not be analysed. Each code is a state of the document a person can act on,
 * so the "to submit" tab can show a clear message instead of a stack trace.
 */
export type PdfErrorCode =
  | 'pdf_not_pdf'
  | 'pdf_encrypted'
  | 'pdf_corrupt'
  | 'pdf_no_pages'
  | 'pdf_too_many_pages'
  | 'pdf_xml_unsafe'
  | 'pdf_timeout'
  | 'pdf_out_of_memory'
  | 'pdf_too_heavy'
  | 'pdf_worker_failed'

const MESSAGES: Record<PdfErrorCode, Localized> = {
  pdf_not_pdf: {
    fr: "Le fichier n'est pas un PDF. Déposez la facture au format PDF.",
    en: 'The file is not a PDF. Upload the invoice as a PDF.',
  },
  pdf_encrypted: {
    fr: 'Le PDF est protégé par un mot de passe. Déposez une version non protégée.',
    en: 'The PDF is password-protected. Upload an unprotected version.',
  },
  pdf_corrupt: {
    fr: 'Le PDF est endommagé ou incomplet et ne peut pas être lu. Exportez-le de nouveau depuis le logiciel de facturation.',
    en: 'The PDF is damaged or truncated and cannot be read. Export it again from the invoicing software.',
  },
  pdf_no_pages: {
    fr: 'Le PDF ne contient aucune page.',
    en: 'The PDF has no pages.',
  },
  pdf_too_many_pages: {
    fr: 'Le PDF contient trop de pages pour une facture. Déposez la facture seule.',
    en: 'The PDF has too many pages for an invoice. Upload the invoice on its own.',
  },
  pdf_xml_unsafe: {
    fr: 'Le XML intégré au PDF est refusé (déclaration DOCTYPE/entités ou taille excessive). Régénérez la facture Factur-X.',
    en: 'The XML embedded in the PDF is refused (DOCTYPE/entity declarations or excessive size). Generate the Factur-X invoice again.',
  },
  pdf_timeout: {
    fr: "L'analyse du PDF a dépassé le temps imparti. Le fichier est peut-être trop lourd ; simplifiez-le ou saisissez la facture manuellement.",
    en: 'Analysing the PDF took too long. The file may be too heavy; simplify it or fill in the invoice by hand.',
  },
  pdf_out_of_memory: {
    fr: "L'analyse du PDF a dépassé la mémoire autorisée. Le fichier est peut-être trop lourd (images) ; simplifiez-le.",
    en: 'Analysing the PDF exceeded the memory limit. The file may be too heavy (images); simplify it.',
  },
  pdf_too_heavy: {
    fr: 'Ce PDF, une fois décompressé (contenu des pages, pièces jointes comme le XML Factur-X, ou structure interne), dépasse 64 Mo, ou enchaîne des filtres de compression qui ne peuvent pas être contrôlés : le fichier est anormal ou piégé. Exportez de nouveau la facture depuis le logiciel de facturation.',
    en: 'Once decompressed (page content, attachments such as the Factur-X XML, or internal structure), this PDF exceeds 64 MB, or it chains compression filters that cannot be checked: the file is abnormal or booby-trapped. Export the invoice again from the invoicing software.',
  },
  pdf_worker_failed: {
    fr: "L'analyse du PDF a échoué de façon inattendue. Relancez l'analyse ; si l'erreur persiste, contactez le support.",
    en: 'Analysing the PDF failed unexpectedly. Run the analysis again; if it persists, contact support.',
  },
}

/** A per-document analysis failure: a stable code, the French/English message, and non-secret details. */
export class PdfAnalysisError extends Error {
  override readonly name = 'PdfAnalysisError'
  readonly messages: Localized
  constructor(
    readonly code: PdfErrorCode,
    readonly details?: Record<string, unknown>,
  ) {
    const messages = MESSAGES[code]
    super(messages.en)
    this.messages = messages
  }

  /** Plain data, so the error crosses the worker boundary (structured clone drops class identity). */
  toJSON(): SerializedPdfError {
    return { code: this.code, details: this.details }
  }

  static fromJSON(data: SerializedPdfError): PdfAnalysisError {
    return new PdfAnalysisError(data.code, data.details)
  }
}

export interface SerializedPdfError {
  readonly code: PdfErrorCode
  readonly details?: Record<string, unknown> | undefined
}

export function isPdfErrorCode(v: unknown): v is PdfErrorCode {
  return typeof v === 'string' && v in MESSAGES
}
