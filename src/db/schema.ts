import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

/**
 * Table types. bigint ids and counts come back as strings on both engines (PGlite is told to parse
 * int8 as text, like pg), numeric amounts as decimal strings, dates as `YYYY-MM-DD` strings.
 */
type Id = ColumnType<string, string | number | bigint | undefined, never>
type Ref = ColumnType<string, string | number | bigint, string | number | bigint>
type NullableRef = ColumnType<string | null, string | number | bigint | null | undefined, string | number | bigint | null>
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
/** A timestamp the insert must give (no default). */
type RequiredTimestamp = ColumnType<Date, Date | string, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
type Json<T = unknown> = ColumnType<T, string | T | undefined, string | T>
type NullableJson<T = unknown> = ColumnType<T | null, string | T | null | undefined, string | T | null>
type Decimal = ColumnType<string | null, string | number | null | undefined, string | number | null>
type CalendarDate = ColumnType<string | null, string | null | undefined, string | null>

export interface AccountsTable {
  id: Id
  name: string
  siret: string
  chorus_structure_id: NullableRef
  technical_login: string
  technical_password_enc: string
  password_expires_on: CalendarDate
  /** The Paris day account.password_expiring was last emitted (migration 0009): at most once a day. */
  password_warning_sent_on: CalendarDate
  environment: string
  auto_submit: Generated<boolean>
  submission_route: Generated<'auto' | 'pdf' | 'facturx'>
  /** The route was given at creation or changed since (migration 0006); `auto` stays the default otherwise. */
  submission_route_chosen: Generated<boolean>
  check_engagements: Generated<boolean>
  send_attachments: Generated<boolean>
  is_demo: Generated<boolean>
  last_connection_check: NullableJson
  created_at: Timestamp
  updated_at: Timestamp
  disabled_at: NullableTimestamp
}

/**
 * bytea as read back: pg gives a Buffer, PGlite a Uint8Array, both over a plain ArrayBuffer (never a
 * SharedArrayBuffer), which is what a Response or c.body() takes without a copy.
 */
export type StoredBytes = Uint8Array<ArrayBuffer>

export interface BlobsTable {
  sha256: string
  size: number
  content: ColumnType<StoredBytes, Uint8Array, Uint8Array>
  created_at: Timestamp
}

export interface SourcesTable {
  id: Id
  kind: 'folder' | 'odoo' | 'push'
  name: string
  config: Json<Record<string, unknown>>
  enabled: Generated<boolean>
  cursor: NullableJson
  last_scan_at: NullableTimestamp
  last_scan_stats: NullableJson
  last_error: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface FilingRulesTable {
  id: Id
  source_id: Ref
  name: string
  position: Generated<number>
  enabled: Generated<boolean>
  match: Json<Record<string, unknown>>
  account_id: NullableRef
  metadata_map: Json<Record<string, string>>
  created_at: Timestamp
  updated_at: Timestamp
}

import type { DocumentStage } from '../domain/document-state'
export type { DocumentStage }

export interface DocumentsTable {
  id: Id
  source_id: Ref
  source_ref: string
  checksum: string
  blob_sha256: string | null
  filename: string
  size: number
  account_id: NullableRef
  filing_rule_id: NullableRef
  host_metadata: Json<Record<string, unknown>>
  stage: Generated<DocumentStage>
  analysis_status: Generated<'pending' | 'done' | 'error'>
  analysis_error: NullableJson
  extracted: Json<Record<string, unknown>>
  fields: Json<Record<string, unknown>>
  invoice_number: string | null
  has_facturx: Generated<boolean>
  facturx_profile: string | null
  problems: Json<unknown[]>
  ready: Generated<boolean>
  submit_error: NullableJson
  chorus_attachment_id: string | null
  submission_attempt: NullableJson
  invoice_id: NullableRef
  superseded_by: NullableRef
  stage_before_removal: string | null
  removed_at: NullableTimestamp
  removed_by: string | null
  received_at: Timestamp
  updated_at: Timestamp
}

export interface InvoicesTable {
  id: Id
  account_id: Ref
  document_id: NullableRef
  chorus_invoice_id: Ref
  flow_number: string | null
  invoice_number: string
  invoice_type: Generated<string>
  recipient_siret: string | null
  recipient_name: string | null
  service_code: string | null
  engagement_number: string | null
  currency: Generated<string>
  amount_net: Decimal
  amount_vat: Decimal
  amount_gross: Decimal
  amount_due: Decimal
  invoice_date: CalendarDate
  deposited_at: NullableTimestamp
  deposit_mode: string | null
  status: string
  status_at: Timestamp
  status_comment: string | null
  handled: Generated<boolean>
  handled_at: NullableTimestamp
  handled_by: string | null
  handling: NullableJson
  to_process: ColumnType<boolean, never, never>
  /** What free text searches (number, recipient name, SIRET, Chorus comment), computed by PostgreSQL (migration 0012). */
  search_text: ColumnType<string, never, never>
  final: Generated<boolean>
  next_poll_at: NullableTimestamp
  unchanged_polls: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface InvoiceEventsTable {
  id: Id
  invoice_id: NullableRef
  document_id: NullableRef
  kind: string
  status: string | null
  occurred_at: Timestamp
  actor: string | null
  comment: string | null
  external_id: string | null
  payload: NullableJson
  created_at: Timestamp
}

export interface RecipientMappingsTable {
  id: Id
  account_id: NullableRef
  label: string
  label_normalized: string
  recipient_siret: string
  service_code: string | null
  engagement_number: string | null
  origin: Generated<'manual' | 'learned' | 'imported'>
  created_by: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface StructuresTable {
  environment: string
  siret: string
  chorus_structure_id: NullableRef
  name: string | null
  active: boolean
  service_required: Generated<boolean>
  engagement_required: Generated<boolean>
  service_or_engagement: Generated<boolean>
  payment_status_not_reported: Generated<boolean>
  found: Generated<boolean>
  fetched_at: Timestamp
}

export interface StructureServicesTable {
  environment: string
  siret: string
  code: string
  chorus_service_id: NullableRef
  label: string | null
  active: boolean
  engagement_required: Generated<boolean>
  fetched_at: Timestamp
}

export type JobState = 'pending' | 'running' | 'done' | 'dead'

export interface JobsTable {
  id: Id
  kind: string
  payload: Json<Record<string, unknown>>
  key: string | null
  state: Generated<JobState>
  priority: Generated<number>
  run_at: Timestamp
  attempts: Generated<number>
  max_attempts: Generated<number>
  locked_by: string | null
  locked_until: NullableTimestamp
  last_error: string | null
  created_at: Timestamp
  updated_at: Timestamp
  finished_at: NullableTimestamp
}

export interface CronSlotsTable {
  name: string
  slot: Timestamp
  job_id: NullableRef
  instance: string | null
  created_at: Timestamp
}

export type Role = 'viewer' | 'operator' | 'admin'

export interface ApiKeysTable {
  id: Id
  name: string
  role: Role
  prefix: string
  hash: string
  created_by: string | null
  created_at: Timestamp
  last_used_at: NullableTimestamp
  revoked_at: NullableTimestamp
}

export interface ExportsTable {
  id: Id
  state: Generated<'pending' | 'running' | 'done' | 'failed' | 'expired'>
  filters: Json<Record<string, unknown>>
  options: Json<Record<string, unknown>>
  rows_done: Generated<number>
  rows_total: number | null
  file_path: string | null
  file_size: NullableRef
  error: string | null
  created_by: string | null
  created_at: Timestamp
  finished_at: NullableTimestamp
  expires_at: NullableTimestamp
}

export interface WebhooksTable {
  id: Id
  url: string
  secret_enc: string
  events: Json<string[]>
  enabled: Generated<boolean>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface WebhookDeliveriesTable {
  id: Id
  webhook_id: Ref
  event: string
  payload: Json
  state: Generated<'pending' | 'delivered' | 'failed'>
  attempts: Generated<number>
  response_status: number | null
  error: string | null
  created_at: Timestamp
  delivered_at: NullableTimestamp
}

export interface AuditLogTable {
  id: Id
  at: Timestamp
  actor: string | null
  action: string
  target_type: string | null
  target_id: string | null
  details: NullableJson
}

/** migrations/0004_ui_sessions.ts: one-time tickets, stored as SHA-256 hashes. */
export interface UiTicketsTable {
  hash: string
  api_key_id: Ref
  lang: string | null
  tab: string | null
  created_at: Timestamp
  expires_at: RequiredTimestamp
  used_at: NullableTimestamp
}

/** migrations/0004_ui_sessions.ts: tab page sessions, stored as SHA-256 hashes of the cookie. */
export interface UiSessionsTable {
  hash: string
  api_key_id: Ref
  csrf_token: string
  lang: string | null
  created_at: Timestamp
  last_seen_at: Timestamp
  expires_at: RequiredTimestamp
}

/** migrations/0008_write_back.ts: what a host is told of a submission or a status change, and whether it was. */
export interface WriteBacksTable {
  id: Id
  document_id: Ref
  invoice_id: NullableRef
  source_id: Ref
  event: 'submitted' | 'status_changed'
  status: string
  status_at: RequiredTimestamp
  comment: string | null
  chorus_invoice_id: string
  invoice_number: string
  state: Generated<'pending' | 'done' | 'failed' | 'skipped'>
  attempts: Generated<number>
  last_error: string | null
  outcome: NullableJson
  created_at: Timestamp
  done_at: NullableTimestamp
}

/** migrations/0010_mail_notifications.ts: the SMTP settings, one row (id 1); the password sealed. */
export interface MailSettingsTable {
  id: ColumnType<number, number | undefined, never>
  host: string
  port: number
  security: 'starttls' | 'tls' | 'none'
  login: string | null
  password_enc: string | null
  sender: string
  /** migrations/0013: PEM of the certificate(s) to trust for this server instead of the public authorities. */
  ca_certificate: string | null
  digest_hour: Generated<number>
  digest_enabled: Generated<boolean>
  immediate_enabled: Generated<boolean>
  last_digest_on: CalendarDate
  updated_at: Timestamp
}

export interface MailRecipientsTable {
  id: Id
  email: string
  name: string | null
  lang: Generated<'fr' | 'en'>
  /** Null: every supplier account. */
  account_id: NullableRef
  role: 'operator' | 'admin'
  digest: Generated<boolean>
  immediate: Generated<boolean>
  created_at: Timestamp
}

export interface MailOutboxTable {
  id: Id
  kind: 'digest' | 'rejection' | 'source_failed' | 'test'
  subject_key: string | null
  recipient: string
  lang: string
  subject: string
  text_body: string
  html_body: string
  state: Generated<'pending' | 'sent' | 'failed'>
  attempts: Generated<number>
  last_error: string | null
  message_id: string | null
  created_at: Timestamp
  sent_at: NullableTimestamp
}

export interface NotificationEventsTable {
  id: Id
  subject: string
  kind: 'rejection' | 'source_failed'
  account_id: NullableRef
  data: Json<Record<string, unknown>>
  created_at: Timestamp
  mailed_at: NullableTimestamp
}

export interface SourceHealthTable {
  source_id: Ref
  failing_since: Timestamp
  error: string
}

export interface DB {
  accounts: AccountsTable
  blobs: BlobsTable
  sources: SourcesTable
  filing_rules: FilingRulesTable
  documents: DocumentsTable
  invoices: InvoicesTable
  invoice_events: InvoiceEventsTable
  recipient_mappings: RecipientMappingsTable
  structures: StructuresTable
  structure_services: StructureServicesTable
  jobs: JobsTable
  cron_slots: CronSlotsTable
  api_keys: ApiKeysTable
  exports: ExportsTable
  webhooks: WebhooksTable
  webhook_deliveries: WebhookDeliveriesTable
  audit_log: AuditLogTable
  ui_tickets: UiTicketsTable
  ui_sessions: UiSessionsTable
  write_backs: WriteBacksTable
  mail_settings: MailSettingsTable
  mail_recipients: MailRecipientsTable
  mail_outbox: MailOutboxTable
  notification_events: NotificationEventsTable
  source_health: SourceHealthTable
}

export type Job = Selectable<JobsTable>
export type NewJob = Insertable<JobsTable>
export type ApiKey = Selectable<ApiKeysTable>
export type Account = Selectable<AccountsTable>
export type DocumentRow = Selectable<DocumentsTable>
export type InvoiceRow = Selectable<InvoicesTable>
export type DocumentUpdate = Updateable<DocumentsTable>
