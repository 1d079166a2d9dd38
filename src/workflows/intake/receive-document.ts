import type { DocumentRow } from '../../db/schema'
import type { Ports } from '../ports'
import { chooseRule, mapHostMetadata, type Candidate, type FilingRule } from '../../domain/filing-rule'
import { rulesOfSource } from '../../db/filing-rules'
import { defaultAccount } from '../../db/accounts'
import { findVersion, insertDocumentVersion, supersedePreviousVersions } from '../../db/documents'
import { putBlob, sha256Hex } from '../../db/blobs'
import { emitWebhookEvent } from '../webhooks/emit-webhook-event'
import { checkIntakeFile, MAX_INTAKE_BYTES } from '../../sources/check-intake-file'
import type { IncomingDocument, ReceiveOutcome } from '../../sources/source-adapter'

export type { IncomingDocument, ReceiveOutcome }

/** A name fit to show and to put in a Content-Disposition: the last path segment, no control characters, at most 255 characters. */
export function displayFilename(name: string): string {
  const last = name.split(/[\\/]/).filter((s) => s !== '' && s !== '.' && s !== '..').pop() ?? ''
  // eslint-disable-next-line no-control-regex
  const clean = last.replace(/[\u0000-\u001f\u007f]/g, '').normalize('NFC').trim()
  const chars = [...clean]
  return (chars.length > 255 ? chars.slice(0, 255).join('') : clean) || 'document.pdf'
}

/**
 * Receives one document version: applies the source's filing rules, skips a version already stored,
 * stores the bytes (once per sha256) and the documents row, supersedes unsubmitted earlier versions
 * and enqueues the analysis, all in one transaction; wakes the worker after the commit. A file
 * Chorus Pro cannot take is recorded too, in error, so the host sees it; nothing is dropped silently.
 */
export async function receiveDocument(ports: Ports, input: IncomingDocument, rules?: readonly FilingRule[]): Promise<ReceiveOutcome> {
  const db = ports.db
  const filename = displayFilename(input.filename)
  const decision = chooseRule({ ...input.candidate, filename, metadata: input.hostMetadata }, rules ?? (await rulesOfSource(db, input.sourceId)))
  if (!decision.take) return { kind: 'skipped', reason: decision.reason }
  const rule = decision.rule

  if (input.checksum) {
    const existing = await findVersion(db, input.sourceId, input.sourceRef, input.checksum)
    if (existing) return { kind: 'duplicate', document: existing }
  }

  let bytes: Uint8Array = new Uint8Array()
  let size = 0
  let sha256: string | undefined
  let refused = input.refused ?? null
  if (!refused) {
    const read = await input.read()
    bytes = read.bytes
    size = read.size
    sha256 = read.sha256 ?? (read.bytes.length === read.size ? sha256Hex(read.bytes) : undefined)
    refused = checkIntakeFile(bytes, size)
  }
  // The bytes of a file that is not a PDF are never kept nor served (a folder pointed at the wrong place
  // must not turn the connector into a file reader): only its name, size, checksum and the reason.
  const storable = !input.refused && refused?.code !== 'file_not_pdf' && size <= MAX_INTAKE_BYTES && bytes.length === size && size > 0
  const checksum = input.checksum ?? sha256 ?? sha256Hex(new TextEncoder().encode(`${input.sourceRef}:${size}`))
  if (!input.checksum) {
    const existing = await findVersion(db, input.sourceId, input.sourceRef, checksum)
    if (existing) return { kind: 'duplicate', document: existing }
  }

  const accountId = input.accountId ?? rule?.accountId ?? (await defaultAccount(db, ports.chorusEnv))?.id ?? null
  const fields = rule ? mapHostMetadata(input.hostMetadata, rule.metadataMap) : {}

  const result = await db.transaction().execute(async (trx) => {
    const blob = storable ? await putBlob(trx, bytes, sha256) : null
    const doc = await insertDocumentVersion(trx, {
      sourceId: input.sourceId,
      sourceRef: input.sourceRef,
      checksum,
      blobSha256: blob,
      filename,
      size,
      accountId,
      filingRuleId: rule?.id ?? null,
      hostMetadata: input.hostMetadata,
      fields,
      refused: refused ?? undefined,
    })
    if (!doc) return undefined
    const superseded = await supersedePreviousVersions(trx, doc)
    if (refused) {
      await emitWebhookEvent(ports, trx, 'document.error', { documentId: doc.id, filename, code: refused.code })
    } else {
      await ports.jobs.enqueue('document.analyse', { documentId: doc.id }, { within: trx })
    }
    return { doc, superseded }
  })
  if (!result) {
    // Another intake stored the same version between our check and our insert.
    return { kind: 'duplicate', document: (await findVersion(db, input.sourceId, input.sourceRef, checksum))! }
  }
  if (refused) ports.logger.warn({ documentId: result.doc.id, sourceId: input.sourceId, code: refused.code }, 'document recorded with an intake error')
  else ports.logger.info({ documentId: result.doc.id, sourceId: input.sourceId, superseded: result.superseded }, 'document received')
  return { kind: refused ? 'refused' : 'received', document: result.doc, superseded: result.superseded }
}
