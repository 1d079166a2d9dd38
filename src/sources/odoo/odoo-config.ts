import { z } from 'zod'
import type { SecretBox } from '../../secrets/secret-box'
import type { OdooConnection } from './odoo-client'

/** The status groups of domain/invoice-status.ts, one Odoo tag each. */
export const WRITE_BACK_GROUPS = ['in_progress', 'to_process', 'rejected', 'paid', 'closed'] as const
/** What can post a chatter message: the submission, or a status change into a group. */
export const WRITE_BACK_MESSAGE_EVENTS = ['submitted', ...WRITE_BACK_GROUPS] as const

/**
 * Write-back to Odoo Documents (issue 16): the document gets one tag per status group (created when
 * missing, the previous one removed) and a note in its chatter. On by default: the API key's user
 * needs write access to the documents and, to create the tags, to `documents.tag` (and, before 18,
 * `documents.facet`).
 */
export const OdooWriteBackSettings = z
  .object({
    enabled: z.boolean().default(true).describe('Tag the Odoo document and post a note in its chatter when the invoice is submitted and when its status changes (default true).'),
    tags: z
      .object({
        in_progress: z.string().trim().min(1).max(100).default('Chorus Pro : Déposée'),
        to_process: z.string().trim().min(1).max(100).default('Chorus Pro : À traiter'),
        rejected: z.string().trim().min(1).max(100).default('Chorus Pro : Rejetée'),
        paid: z.string().trim().min(1).max(100).default('Chorus Pro : Mise en paiement'),
        closed: z.string().trim().min(1).max(100).default('Chorus Pro : Close'),
      })
      .strict()
      .prefault({})
      .describe('The tag name of each status group (in progress, to process: to recycle or suspended, rejected, paid, closed). Created in Odoo when missing; the tag of the previous group is removed.'),
    /** Odoo 13 to 17: tags live in a facet of the document's workspace. */
    facet: z.string().trim().min(1).max(100).default('Chorus Pro').describe('Odoo 17 and earlier: the facet (in the document’s workspace) that holds the tags.'),
    messageOn: z
      .array(z.enum(WRITE_BACK_MESSAGE_EVENTS))
      .max(WRITE_BACK_MESSAGE_EVENTS.length)
      .default([...WRITE_BACK_MESSAGE_EVENTS])
      .describe(`Which events post a note in the document's chatter: ${WRITE_BACK_MESSAGE_EVENTS.join(', ')} (a status change counts by the group of the new status). Default: all; [] posts none.`),
    language: z.enum(['fr', 'en']).default('fr').describe('The language of the chatter notes (default fr).'),
  })
  .strict()

export type OdooWriteBack = z.output<typeof OdooWriteBackSettings>

/** An Odoo source's settings as the admin API takes them (`apiKey` write-only, stored sealed). */
export const OdooConfigInput = z
  .object({
    url: z.string().url({ message: 'expected the Odoo base URL such as https://erp.example.com' }),
    /** Required for JSON-RPC; over JSON-2 it is sent as X-Odoo-Database when given (servers hosting several databases). */
    database: z.string().min(1).optional().describe('The Odoo database. Required for JSON-RPC; over JSON-2 sent as X-Odoo-Database when given (needed when one server hosts several databases).'),
    /** Required for JSON-RPC (the API key is its password); JSON-2 identifies the user by the key alone. */
    login: z.string().min(1).optional().describe("The login of the API key's user. Required for JSON-RPC; JSON-2 needs only the key."),
    apiKey: z.string().min(8, { message: 'expected the Odoo API key (Preferences > Account Security > New API Key)' }),
    /**
     * How to talk to Odoo. `auto` (default): JSON-2 when the server offers it (Odoo 19 and later), JSON-RPC
     * otherwise, detected once per source and remembered while the service runs. `json2` or `jsonrpc` forces one.
     */
    protocol: z
      .enum(['auto', 'json2', 'jsonrpc'])
      .default('auto')
      .describe('auto (default): JSON-2 (/json/2, Odoo 19+) when the server offers it, else JSON-RPC (/jsonrpc, Odoo 13 to 21, deprecated since 19); detected once per source. json2 or jsonrpc forces one.'),
    /** Only documents in this folder (workspace) or below it. */
    rootFolderId: z.number().int().positive().optional(),
    /** A tag (by name, it must exist in Odoo) added to each document once received, e.g. "Chorus Pro: reçu". */
    receivedTag: z.string().min(1).optional(),
    /** Extra document fields read as host metadata (custom fields such as x_invoice_number). */
    metadataFields: z.array(z.string().regex(/^[a-z_][a-z0-9_]*$/)).max(50).optional(),
    /** Seconds re-read before the cursor on every scan (late commits); rows there are deduped without download. */
    overlapSeconds: z.number().int().min(0).max(86_400).default(60),
    pageSize: z.number().int().min(1).max(1000).default(100),
    maxPagesPerScan: z.number().int().min(1).max(1000).default(20),
    pollSeconds: z.number().int().min(10).max(86_400).default(60),
    timeoutMs: z.number().int().min(1000).max(300_000).default(30_000),
    writeBack: OdooWriteBackSettings.prefault({}),
  })
  .strict()

export type OdooConfig = Omit<z.output<typeof OdooConfigInput>, 'apiKey'> & { apiKeyEnc: string }

/**
 * How a source reaches its Odoo, the same for intake and write-back: its key opened from the secret
 * box, and the detected protocol remembered per source (detected again when its URL or database changes).
 */
export function odooConnectionOf(config: OdooConfig, secrets: SecretBox, sourceId: string, signal?: AbortSignal): OdooConnection {
  return {
    url: config.url,
    database: config.database,
    login: config.login,
    apiKey: secrets.open(config.apiKeyEnc),
    timeoutMs: config.timeoutMs ?? 30_000,
    protocol: config.protocol ?? 'auto',
    memoKey: `source:${sourceId}|${config.url}|${config.database ?? ''}`,
    ...(signal ? { signal } : {}),
  }
}
