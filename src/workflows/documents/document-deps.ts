import type { Account } from '../../db/schema'
import type { RecipientDirectory } from '../../domain/completeness'
import type { AnalysePdfOptions, LocalPdfAnalysis } from '../../pdf/analyse-pdf-locally'

/** The collaborators of the document workflows beyond Ports: the PDF reader pool, the directory, the recipient mappings. */
export interface DocumentDeps {
  readonly pdf: { analyse(bytes: Uint8Array, opts?: AnalysePdfOptions): Promise<LocalPdfAnalysis> }
  /** The recipient's structure and services from the Chorus Pro directory (cached); throws a ChorusError when unreachable. */
  readonly lookupRecipient: (account: Account, siret: string) => Promise<RecipientDirectory>
  /** The admin's mapping of a printed recipient label, account-specific first, then global. */
  readonly findMapping: (accountId: string | null, label: string) => Promise<{ readonly recipientSiret: string; readonly serviceCode: string | null; readonly engagementNumber: string | null } | undefined>
}
