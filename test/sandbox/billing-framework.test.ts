import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChorusError } from '../../src/chorus'
import { SEED_STRUCTURES } from '../../src/sandbox'
import { readFlowInvoice } from '../../src/sandbox/flow-invoice-reader'
import { ACCOUNT, saisie, sandboxClient, startSandbox, type RunningSandbox } from '../chorus/sandbox-harness'

const OPEN = SEED_STRUCTURES[0]!.siret

/** The sandbox checks the framework (codeCadreFacturation) as Chorus Pro would, and keeps it. */
describe('sandbox: billing framework', () => {
  let sb: RunningSandbox
  let client: ReturnType<typeof sandboxClient>
  beforeAll(async () => {
    sb = await startSandbox()
    client = sandboxClient(sb.base)
  })
  afterAll(() => sb?.close())

  const refusal = async (cadreDeFacturation: Record<string, string>, over: Parameters<typeof saisie>[1] = {}) => {
    try {
      await client.soumettre(ACCOUNT, saisie(OPEN, { cadreDeFacturation: cadreDeFacturation as any, ...over }))
    } catch (e) {
      expect(e).toBeInstanceOf(ChorusError)
      return { codeRetour: (e as ChorusError).codeRetour, libelle: (e as ChorusError).libelle, kind: (e as ChorusError).kind }
    }
    throw new Error('accepted')
  }
  const kept = async (id: number) => ((await client.consulterFactureFournisseur(ACCOUNT, { identifiantFactureCPP: id })).facture.cadreDeFacturation as any)?.codeCadreFacturation

  it('keeps the framework sent, and A1 when none is', async () => {
    const a2 = await client.soumettre(ACCOUNT, {
      ...saisie(OPEN),
      cadreDeFacturation: { codeCadreFacturation: 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE' },
      montantTotal: { montantHtTotal: '100.00', montantTVA: '20.00', montantTtcTotal: '120.00', montantAPayer: '0.00' },
    } as any)
    expect(await kept(a2.identifiantFactureCPP)).toBe('A2_FACTURE_FOURNISSEUR_DEJA_PAYEE')
    const { cadreDeFacturation: _, ...without } = saisie(OPEN)
    const a1 = await client.soumettre(ACCOUNT, without as any)
    expect(await kept(a1.identifiantFactureCPP)).toBe('A1_FACTURE_FOURNISSEUR')
  })

  it('refuses an unknown framework, a subcontractor’s without its validator, and an A2 still to pay, as business errors', async () => {
    expect(await refusal({ codeCadreFacturation: 'A99_INVENTE' })).toMatchObject({ codeRetour: 20012, kind: 'business', libelle: "GDP_MSG_01.012 - Le cadre de facturation A99_INVENTE n'existe pas." })
    expect(await refusal({ codeCadreFacturation: 'A9_FACTURE_SOUSTRAITANT' })).toMatchObject({ codeRetour: 20013, libelle: expect.stringContaining('structure valideuse est obligatoire') })
    expect(await refusal({ codeCadreFacturation: 'A8_DECOMPTE_GENERAL_DEFINITIF_FOURNISSEUR' })).toMatchObject({ codeRetour: 20013 })
    expect(await refusal({ codeCadreFacturation: 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE' })).toMatchObject({ codeRetour: 20014 })
    // With its validator, a subcontractor's invoice is taken.
    const ok = await client.soumettre(ACCOUNT, saisie(OPEN, { cadreDeFacturation: { codeCadreFacturation: 'A9_FACTURE_SOUSTRAITANT', codeStructureValideur: SEED_STRUCTURES[1]!.siret } }))
    expect(await kept(ok.identifiantFactureCPP)).toBe('A9_FACTURE_SOUSTRAITANT')
  })

  it('reads a flow’s framework from BT-23 (CII) or ProfileID (UBL), short as written, and nothing from another process id', () => {
    const cii = (id: string) => `<rsm:CrossIndustryInvoice xmlns:rsm="r" xmlns:ram="a"><rsm:ExchangedDocumentContext><ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>${id}</ram:ID></ram:BusinessProcessSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext><rsm:ExchangedDocument><ram:ID>F-1</ram:ID></rsm:ExchangedDocument></rsm:CrossIndustryInvoice>`
    expect(readFlowInvoice(cii('A2'))?.cadreDeFacturation).toBe('A2')
    expect(readFlowInvoice(cii('urn:fdc:peppol.eu:2017:poacc:billing:01:1.0'))?.cadreDeFacturation).toBeUndefined()
    expect(readFlowInvoice('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="c"><cbc:ProfileID>A1</cbc:ProfileID><cbc:ID>F-2</cbc:ID></Invoice>')?.cadreDeFacturation).toBe('A1')
  })
})
