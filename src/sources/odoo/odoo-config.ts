import { z } from 'zod'

/** An Odoo source's settings as the admin API takes them (`apiKey` write-only, stored sealed). */
export const OdooConfigInput = z
  .object({
    url: z.string().url({ message: 'expected the Odoo base URL such as https://erp.example.com' }),
    database: z.string().min(1),
    login: z.string().min(1),
    apiKey: z.string().min(8, { message: 'expected the Odoo API key (Preferences > Account Security > New API Key)' }),
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
  })
  .strict()

export type OdooConfig = Omit<z.output<typeof OdooConfigInput>, 'apiKey'> & { apiKeyEnc: string }
