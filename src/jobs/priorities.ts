/**
 * Claim order of the queue (higher first). A ready document's submission goes before the analyses
 * still waiting: with 10,000 files dropped at once, submissions otherwise queued behind every analysis
 * and the first invoice reached Chorus Pro only after 17 minutes (pipeline bench, README). Both share
 * Chorus Pro's rate limit, so the total time is the same; the first results come early. Scans (5) come
 * first of all so files get into the database before anything else.
 */
export const SUBMIT_PRIORITY = 3
