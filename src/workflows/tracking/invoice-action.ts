import type { Account, InvoiceRow } from '../../db/schema'
import { getAccount, technicalAccountOf } from '../../db/accounts'
import { getInvoice, recordAction } from '../../db/invoices'
import { AppError } from '../../domain/app-error'
import { isChorusError, type TechnicalAccount } from '../../chorus'
import type { Ports } from '../ports'

/** What the complete / recycle / handle actions share: the invoice, its account, the status rule, and reconciling a write whose outcome is unknown. */
export interface ActionTarget {
  readonly invoice: InvoiceRow
  readonly account: Account
  readonly tech: TechnicalAccount
}

export async function loadActionTarget(ports: Ports, invoiceId: string): Promise<ActionTarget> {
  const invoice = await getInvoice(ports.db, invoiceId)
  if (!invoice) throw new AppError(404, 'invoice_not_found', { fr: `Facture ${invoiceId} introuvable.`, en: `Invoice ${invoiceId} not found.` })
  const account = await getAccount(ports.db, invoice.account_id)
  if (!account) throw new AppError(404, 'account_not_found', { fr: `Compte fournisseur ${invoice.account_id} introuvable.`, en: `Supplier account ${invoice.account_id} not found.` })
  return { invoice, account, tech: technicalAccountOf(account, ports.secrets) }
}

const STATUS_FR: Record<string, string> = { A_RECYCLER: 'à recycler', SUSPENDUE: 'suspendue', REJETEE: 'rejetée' }

/**
 * The action needs the invoice in `expected`. Our copy may be stale (the sync runs every 30 minutes), so
 * when it says otherwise Chorus Pro is asked before refusing.
 */
export async function requireStatus(ports: Ports, t: ActionTarget, expected: string, action: string): Promise<string> {
  if (t.invoice.status === expected) return expected
  const current = (await ports.chorus.consulterHistorique(t.tech, { idFacture: Number(t.invoice.chorus_invoice_id) })).statutCourantCode
  if (current === expected) return current
  throw new AppError(
    409,
    'invoice_status_conflict',
    {
      fr: `Action « ${action} » impossible : la facture ${t.invoice.invoice_number} est au statut ${current} dans Chorus Pro, il faut qu’elle soit ${STATUS_FR[expected] ?? expected}. Actualisez la liste.`,
      en: `Cannot ${action}: invoice ${t.invoice.invoice_number} is ${current} in Chorus Pro; it must be ${expected}. Refresh the list.`,
    },
    { status: current, expected },
  )
}

/**
 * Calls a Chorus write (recycler, completer) once. Writes are never retried blindly: when the outcome is
 * unknown (timeout, 5xx after sending), the invoice's status is read back and decides. Returns the
 * answer, or `{ reconciled: status }` when the write had in fact been applied.
 */
export async function writeOnce<T>(
  ports: Ports,
  t: ActionTarget,
  action: string,
  actor: string,
  call: () => Promise<T>,
  applied: (status: string) => boolean,
): Promise<{ answer?: T; reconciled?: string }> {
  try {
    return { answer: await call() }
  } catch (e) {
    if (!isChorusError(e) || !e.outcomeUnknown) throw e
    let status: string
    try {
      status = (await ports.chorus.consulterHistorique(t.tech, { idFacture: Number(t.invoice.chorus_invoice_id) })).statutCourantCode
    } catch {
      await recordAction(ports.db, t.invoice.id, action, actor, { outcome: 'unknown', error: e.toJSON() })
      throw new AppError(
        503,
        'chorus_outcome_unknown',
        {
          fr: `Chorus Pro n’a pas répondu et son statut ne peut pas être relu : on ne sait pas si l’action « ${action} » a été prise en compte. Ne la refaites pas tout de suite : la prochaine synchronisation le dira.`,
          en: `Chorus Pro did not answer and the status cannot be read back: it is unknown whether "${action}" was applied. Do not repeat it yet: the next sync will tell.`,
        },
        { operation: e.operation, kind: e.kind },
      )
    }
    if (applied(status)) return { reconciled: status }
    await recordAction(ports.db, t.invoice.id, action, actor, { outcome: 'not_applied', status, error: e.toJSON() })
    throw new AppError(
      503,
      'chorus_not_applied',
      {
        fr: `Chorus Pro n’a pas répondu à temps et la facture est toujours au statut ${status} : l’action « ${action} » n’a pas été prise en compte. Réessayez dans quelques minutes.`,
        en: `Chorus Pro did not answer in time and the invoice is still ${status}: "${action}" was not applied. Try again in a few minutes.`,
      },
      { operation: e.operation, kind: e.kind, status },
    )
  }
}
