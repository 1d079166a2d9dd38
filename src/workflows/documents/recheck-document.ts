import { now } from '../../db/sql-now'
import { sql } from 'kysely'
import { checkCompleteness, type RecipientDirectory } from '../../domain/completeness'
import { fieldLayer, type InvoiceFields } from '../../domain/invoice-fields'
import { isValidSiret } from '../../domain/siret'
import { todayIn } from '../../domain/calendar-date'
import { getAccount, technicalAccountOf } from '../../db/accounts'
import type { DocumentRow } from '../../db/schema'
import type { Ports } from '../ports'
import type { DocumentDeps } from './document-deps'
import { layersOf, mergeForm, valueOf, type ExtractedLayers } from './document-form'

export interface RecheckResult {
  readonly ready: boolean
  readonly problems: ReturnType<typeof checkCompleteness>
  readonly fields: InvoiceFields
}

/**
 * Recomputes a to-submit document's form and completeness from its stored layers: the recipient
 * mapping, the directory, duplicates. Runs after analysis, after a person's edit, when a mapping
 * changes, and daily; never reads the PDF again.
 */
export async function recheckDocument(ports: Ports, deps: DocumentDeps, documentId: string, opts: { completingAnalysis?: boolean } = {}): Promise<RecheckResult | null> {
  // Analysis hands over a document still `analysing`: it turns `to_submit` in the same write as its
  // problems, so nobody ever sees it "incomplete" with no reason given.
  const stage = opts.completingAnalysis ? 'analysing' : 'to_submit'
  const doc = await ports.db.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirst()
  if (!doc || doc.stage !== stage) return null
  const account = doc.account_id ? await getAccount(ports.db, doc.account_id) : undefined
  const layers = layersOf(doc)

  // Mapping layer: the admin's association of the printed label (it outranks what was read).
  const withoutMapping = mergeForm({ ...layers, mapping: undefined })
  const label = valueOf(withoutMapping, 'recipientLabel')
  let mapping: InvoiceFields | undefined
  if (label) {
    const m = await deps.findMapping(account?.id ?? null, label)
    if (m) {
      mapping = fieldLayer('mapping', {
        recipientSiret: m.recipientSiret,
        serviceCode: m.serviceCode ?? undefined,
        // A mapping's engagement number is a default: a number printed or typed wins.
        engagementNumber: valueOf(withoutMapping, 'engagementNumber') ? undefined : (m.engagementNumber ?? undefined),
      })
    }
  }
  let nextLayers: ExtractedLayers = { ...layers, mapping }
  const fields = mergeForm(nextLayers)

  let directory: RecipientDirectory | undefined
  const siret = valueOf(fields, 'recipientSiret')
  if (account && siret && isValidSiret(siret)) {
    try {
      directory = await deps.lookupRecipient(account, siret)
    } catch (e) {
      ports.logger.warn({ documentId, err: (e as Error).message }, 'directory lookup failed; recheck later')
      await ports.jobs.enqueue('document.recheck', { documentId }, { runAt: new Date(Date.now() + 10 * 60_000) })
    }
  }

  // The account asks for engagement numbers to be checked with Chorus Pro (engagementsJuridiques); each
  // number is asked once per document and the answer kept with the layers.
  let engagementKnown: boolean | undefined
  const ej = valueOf(fields, 'engagementNumber')
  if (account?.check_engagements && account.chorus_structure_id && ej && ej.length <= 50) {
    const checks = { ...((nextLayers.info?.engagementChecks ?? {}) as Record<string, boolean>) }
    if (!(ej in checks)) {
      try {
        const r = await ports.chorus.rechercherEngagementsJuridiques(technicalAccountOf(account, ports.secrets), { structureReceptriceEngagementJuridique: Number(account.chorus_structure_id), numeroEngagementJuridique: ej })
        checks[ej] = r.listeEngagementJuridique.length > 0
        nextLayers = { ...nextLayers, info: { ...nextLayers.info, engagementChecks: checks } }
      } catch (e) {
        ports.logger.warn({ documentId, err: (e as Error).message }, 'engagement check failed; not blocking on it')
      }
    }
    engagementKnown = checks[ej]
  }
  if (directory?.name) nextLayers = { ...nextLayers, info: { ...nextLayers.info, recipientName: directory.name } }
  const number = valueOf(fields, 'invoiceNumber')
  const duplicate = number && account ? await findDuplicate(ports, doc, account.id, number, valueOf(fields, 'invoiceDate')) : null
  const problems = checkCompleteness({
    fields,
    hasAccount: Boolean(account),
    directory,
    pdfSize: doc.size,
    today: todayIn('Europe/Paris', ports.now()),
    duplicate,
    engagementKnown,
  })
  const ready = problems.length === 0 && doc.analysis_status === 'done'
  await ports.db
    .updateTable('documents')
    .set({
      extracted: JSON.stringify(nextLayers),
      fields: JSON.stringify(fields),
      invoice_number: number ?? null,
      problems: JSON.stringify(problems),
      ready,
      stage: 'to_submit',
      updated_at: now(),
    })
    .where('id', '=', documentId)
    .where('stage', '=', stage)
    .execute()
  return { ready, problems, fields }
}

/**
 * The same number from the same supplier in the same year, here (tracked, or another document being
 * or already submitted) or, as found by analysis, in Chorus Pro.
 */
async function findDuplicate(ports: Ports, doc: DocumentRow, accountId: string, number: string, date: string | undefined) {
  const year = date?.slice(0, 4)
  let q = ports.db.selectFrom('invoices').select(['id', 'chorus_invoice_id']).where('account_id', '=', accountId).where('invoice_number', '=', number)
  if (year) q = q.where(sql<string>`to_char(invoice_date, 'YYYY')`, '=', year)
  q = q.where((eb) => eb.or([eb('document_id', 'is', null), eb('document_id', '!=', doc.id)]))
  const tracked = await q.executeTakeFirst()
  if (tracked) return { where: 'here' as const, chorusInvoiceId: tracked.chorus_invoice_id }
  const other = await ports.db
    .selectFrom('documents')
    .select('id')
    .where('account_id', '=', accountId)
    .where('invoice_number', '=', number)
    .where('stage', 'in', ['submitting', 'submitted'])
    .where('id', '!=', doc.id)
    .executeTakeFirst()
  if (other) return { where: 'here' as const }
  const inChorus = (layersOf(doc).info?.chorusDuplicate ?? null) as { chorusInvoiceId?: string; number?: string } | null
  if (inChorus && inChorus.number === number) return { where: 'chorus' as const, chorusInvoiceId: inChorus.chorusInvoiceId }
  return null
}
