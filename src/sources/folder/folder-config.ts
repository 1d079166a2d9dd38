import { z } from 'zod'

/** A folder source's settings (sources.config). */
export const FolderConfigSchema = z
  .object({
    path: z.string().min(1).refine((p) => p.startsWith('/'), { message: 'expected an absolute path such as /srv/invoices/inbox' }),
    recursive: z.boolean().default(false),
    /** After intake: move to processed/ (default), or leave the file where it is. */
    afterIntake: z.enum(['move', 'leave']).default('move'),
    /** Poll interval; folders on network shares rarely deliver file-system events. */
    pollSeconds: z.number().int().min(1).max(86_400).default(60),
    /** Size and date must stay the same across two checks this far apart before a file is taken. */
    settleMs: z.number().int().min(0).max(60_000).default(1000),
    /** Files per scan; the rest is taken by a follow-up scan enqueued at once. */
    maxFilesPerScan: z.number().int().min(1).max(10_000).default(500),
    /** Watch with fs.watch as well as polling (off for shares where it misbehaves). */
    watch: z.boolean().default(true),
    /**
     * Write-back for DMSs that watch folders (issue 16): `<name>.chorus.json` beside the processed PDF
     * (number, status, dates, history), rewritten atomically on each submission and status change.
     */
    writeBack: z.boolean().default(false),
  })
  .strict()

export type FolderConfig = z.output<typeof FolderConfigSchema>

export const PROCESSED_DIR = 'processed'
export const REJECTED_DIR = 'rejected'
