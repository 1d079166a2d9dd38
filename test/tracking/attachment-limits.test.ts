import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { ATTACHMENT_TYPES } from '../../src/domain/chorus-attachments'
import { trackingWorld, type TrackingWorld } from './tracking-harness'

const MB = 1024 * 1024

/**
 * Complete on a suspended invoice follows Chorus Pro's attachment limits (reference "Updates checked
 * 2026-11", OCA 17.0 `_check_chorus_attachments`): each refusal is a clear 400 in French and English naming
 * the file and the limit, and comes before any call to Chorus Pro.
 */
describe.each(testEngines())('attachment limits on Complete, on $name', (engine) => {
  let t: TestDatabase
  let w: TrackingWorld
  let invoice: { id: string; chorusId: number }
  beforeAll(async () => {
    t = await engine.open()
    w = await trackingWorld(t)
    invoice = await w.submit('LIMITS-1', { withDocument: true })
    await w.sandbox.setStatus(invoice.chorusId, 'SUSPENDUE', 'Pièce manquante')
  })
  afterAll(async () => {
    await w?.close()
    await t?.close()
  })

  async function complete(files: Array<{ name: string; bytes: Uint8Array<ArrayBuffer> }>, lang: 'fr' | 'en') {
    const form = new FormData()
    form.set('comment', 'Pièces jointes')
    for (const f of files) form.append('attachments', new File([f.bytes], f.name))
    return w.call('operator', `/api/v1/invoices/${invoice.id}/complete`, { method: 'POST', body: form, headers: { 'accept-language': lang } })
  }

  async function refused(files: Array<{ name: string; bytes: Uint8Array<ArrayBuffer> }>, code: string, fr: RegExp, en: RegExp) {
    const before = await w.sandbox.calls()
    const resFr = await complete(files, 'fr')
    expect(resFr.status).toBe(400)
    const bodyFr = (await resFr.json()) as any
    expect(bodyFr.error.code).toBe(code)
    expect(bodyFr.error.message).toMatch(fr)
    const resEn = await complete(files, 'en')
    const bodyEn = (await resEn.json()) as any
    expect(bodyEn.error.message).toMatch(en)
    // Nothing reached Chorus Pro: no upload, no status read, no completer.
    expect(await w.sandbox.calls()).toEqual(before)
    return bodyEn.error
  }

  const pdf = (size: number) => {
    const b = new Uint8Array(size)
    b.set([37, 80, 68, 70].slice(0, size))
    return b
  }

  it('a name of more than 50 characters, extension included', async () => {
    const name = `${'n'.repeat(47)}.pdf`
    expect(name).toHaveLength(51)
    const e = await refused([{ name, bytes: pdf(10) }], 'attachment_name_too_long', new RegExp(`« ${name} » fait 51 caractères : Chorus Pro en accepte 50 au plus`), new RegExp(`"${name}" is 51 characters long: Chorus Pro accepts at most 50`))
    expect(e.details).toMatchObject({ filename: name, limit: 50 })
  })

  it('no extension, or one Chorus Pro does not take', async () => {
    await refused([{ name: 'justificatif', bytes: pdf(10) }], 'attachment_extension_missing', /« justificatif » n’a pas d’extension/, /"justificatif" has no extension/)
    await refused([{ name: 'ok.pdf', bytes: pdf(10) }, { name: 'virus.exe', bytes: pdf(10) }], 'attachment_type', /refusé par Chorus Pro : « virus\.exe » \(\.exe\)/, /Attachment type refused by Chorus Pro: "virus\.exe" \(\.exe\)/)
    expect(Object.keys(ATTACHMENT_TYPES)).toHaveLength(35)
  })

  it('an empty file', async () => {
    await refused([{ name: 'vide.pdf', bytes: new Uint8Array(0) }], 'attachment_empty', /« vide\.pdf » est vide/, /"vide\.pdf" is empty/)
  })

  it('a file of 10 MB or more', async () => {
    const e = await refused([{ name: 'gros.pdf', bytes: pdf(10 * MB) }], 'attachment_too_large', /« gros\.pdf » pèse 10,0 Mo : Chorus Pro n’accepte que des fichiers de moins de 10 Mo/, /"gros\.pdf" weighs 10\.0 MB: Chorus Pro only accepts files under 10 MB/)
    expect(e.details).toMatchObject({ filename: 'gros.pdf', limit: 10 * MB, size: 10 * MB })
  })

  it('over 120 MB for the invoice with its attachments (its PDF and earlier attachments count), naming the file that goes over', async () => {
    // The invoice's own PDF, as the connector sent it, weighs 106 MB, and an earlier Complete sent 4 MB.
    const doc = await t.db.selectFrom('invoices').select('document_id').where('id', '=', invoice.id).executeTakeFirstOrThrow()
    await t.db.updateTable('documents').set({ size: 106 * MB }).where('id', '=', doc.document_id!).execute()
    await t.db.insertInto('invoice_events').values({ invoice_id: invoice.id, kind: 'action', actor: 'key:1', payload: JSON.stringify({ action: 'complete', attachments: [{ filename: 'avant.pdf', sha256: '0'.repeat(64), size: 4 * MB, chorusId: 1 }] }) }).execute()
    const e = await refused(
      [{ name: 'annexe-1.pdf', bytes: pdf(6 * MB) }, { name: 'annexe-2.pdf', bytes: pdf(5 * MB) }],
      'attachments_too_large',
      /Avec la pièce jointe « annexe-2\.pdf », la facture et ses pièces jointes pèseraient 121,0 Mo : Chorus Pro accepte 120 Mo au plus par facture/,
      /With the attachment "annexe-2\.pdf", the invoice and its attachments would weigh 121\.0 MB: Chorus Pro accepts at most 120 MB per invoice/,
    )
    expect(e.details).toMatchObject({ filename: 'annexe-2.pdf', limit: 120 * MB })
  })

  it('at the limits everything goes: 50 characters, just under 10 MB, exactly 120 MB in all', async () => {
    const name = `${'n'.repeat(46)}.pdf`
    const doc = await t.db.selectFrom('invoices').select('document_id').where('id', '=', invoice.id).executeTakeFirstOrThrow()
    await t.db.updateTable('documents').set({ size: 120 * MB - 4 * MB - (10 * MB - 1) - 3 }).where('id', '=', doc.document_id!).execute()
    const res = await complete([{ name, bytes: pdf(10 * MB - 1) }, { name: 'a.TXT', bytes: pdf(3) }], 'en')
    expect(res.status, await res.clone().text()).toBe(200)
    expect(((await res.json()) as any).status).toBe('COMPLETEE')
    expect((await w.sandbox.calls())['transverses/v1/ajouter/fichier']).toBe(2)
  })
})
