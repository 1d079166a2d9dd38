import type { Migration } from 'kysely'
import * as m0001 from './0001_core'
import * as m0003 from './0003_tracking'
import * as m0004 from './0004_ui_sessions'
import * as m0005 from './0005_to_process_recipient'
import * as m0006 from './0006_submission_route_auto'
import * as m0007 from './0007_invoice_search_trigram'
import * as m0008 from './0008_write_back'
import * as m0009 from './0009_password_warning_sent'
import * as m0010 from './0010_mail_notifications'
import * as m0011 from './0011_deposit_dates_as_days'
import * as m0012 from './0012_invoice_search_text'
import * as m0013 from './0013_mail_ca_certificate'

/**
 * A static list rather than FileMigrationProvider: Kysely's native import() of `.ts` files fails under
 * vitest ("Unknown file extension .ts", ../shared/reference/stack.md pitfall 9). Never edit a landed
 * migration; add the next one here.
 */
export const migrations: Record<string, Migration> = {
  '0001_core': m0001,
  '0003_tracking': m0003,
  '0004_ui_sessions': m0004,
  '0005_to_process_recipient': m0005,
  '0006_submission_route_auto': m0006,
  '0007_invoice_search_trigram': m0007,
  '0008_write_back': m0008,
  '0009_password_warning_sent': m0009,
  '0010_mail_notifications': m0010,
  '0011_deposit_dates_as_days': m0011,
  '0012_invoice_search_text': m0012,
  '0013_mail_ca_certificate': m0013,
}
