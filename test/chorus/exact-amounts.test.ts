import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ChorusError, clearTokenCache } from '../../src/chorus'
import { SANDBOX_CREDENTIALS, SEED } from '../../src/sandbox'
import { ACCOUNT, failure, saisie, sandboxClient, startSandbox, type RunningSandbox } from './sandbox-harness'

let sb: RunningSandbox
beforeAll(async () => {
  sb = await startSandbox()
})
afterAll(() => sb.close())
beforeEach(async () => {
  await sb.reset()
  clearTokenCache()
})

const recipient = SEED.noRequirement.siret
const SOUMETTRE = 'factures/v1/soumettre'
const received = async (): Promise<string[]> => (await (await fetch(`${sb.base}/_sandbox/requests?operation=${SOUMETTRE}`)).json()) as string[]

/** Amounts whose float arithmetic is inexact (0.1 + 0.2), and beyond a float's 2^53 (≈ 9.007e15 cents-free). */
const CASES = [
  { net: '0.10', vat: '0.20', gross: '0.30' },
  { net: '9007199254740993.07', vat: '0.20', gross: '9007199254740993.27' },
  { net: '1234567890123456.78', vat: '246913578024691.36', gross: '1481481468148148.14' },
]

describe('soumettre amounts on the wire', () => {
  for (const c of CASES) {
    it(`sends ${c.gross} as an exact JSON number token, and reads it back exactly`, async () => {
      const client = sandboxClient(sb.base)
      const r = await client.soumettre(
        ACCOUNT,
        saisie(recipient, {
          lignePoste: [{ lignePosteNumero: 1, lignePosteDenomination: 'Prestation', lignePosteQuantite: '1', lignePosteMontantUnitaireHT: c.net, lignePosteTauxTva: 'TVA20' }],
          ligneTva: [{ ligneTvaMontantBaseHtParTaux: c.net, ligneTvaMontantTvaParTaux: c.vat, ligneTvaTauxManuel: '20.000' }],
          montantTotal: { montantHtTotal: c.net, montantTVA: c.vat, montantTtcTotal: c.gross, montantAPayer: c.gross },
        }),
      )
      // What the sandbox received, byte for byte: number tokens with two decimals, no quotes, no float noise.
      const [raw] = await received()
      expect(raw).toContain(`"montantTotal":{"montantHtTotal":${c.net},"montantTVA":${c.vat},"montantTtcTotal":${c.gross},"montantAPayer":${c.gross}}`)
      expect(raw).toContain(`"lignePosteQuantite":1,"lignePosteMontantUnitaireHT":${c.net}`)
      expect(raw).toContain(`"ligneTvaMontantBaseHtParTaux":${c.net},"ligneTvaMontantTvaParTaux":${c.vat},"ligneTvaTauxManuel":20.000`)
      expect(raw).not.toMatch(/"montant\w*":"/)
      expect(raw).not.toMatch(/000000000\d/)
      // The sandbox kept the exact cents (as Chorus Pro's decimals would) and answers them exactly.
      const stored = sb.sandbox.store.state.invoices.get(r.identifiantFactureCPP)!
      expect(sb.sandbox.store.amount(stored.montantTtcTotal)).toBe(c.gross)
      const found = await client.rechercherFactureFournisseur(ACCOUNT, { numeroFacture: r.numeroFacture })
      expect(found.listeFactures[0]).toMatchObject({ montantHT: c.net, montantTTC: c.gross, montantAPayer: c.gross })
      const detail = await client.consulterFactureFournisseur(ACCOUNT, { identifiantFactureCPP: r.identifiantFactureCPP })
      expect(detail.facture.montantTotal).toMatchObject({ montantHtTotal: c.net, montantTVA: c.vat, montantTtcTotal: c.gross })
    })
  }

  it('normalises to two decimals without arithmetic, and refuses before any call what it cannot send exactly', async () => {
    const client = sandboxClient(sb.base)
    await client.soumettre(ACCOUNT, saisie(recipient, { montantTotal: { montantHtTotal: '100', montantTVA: '20.5', montantTtcTotal: 120.5, montantAPayer: '120.50' }, ligneTva: undefined, lignePoste: [{ lignePosteNumero: 1, lignePosteDenomination: 'x', lignePosteQuantite: '0.5', lignePosteMontantUnitaireHT: '200', lignePosteTauxTva: 'TVA20' }] }))
    const [raw] = await received()
    expect(raw).toContain('"montantTotal":{"montantHtTotal":100.00,"montantTVA":20.50,"montantTtcTotal":120.50,"montantAPayer":120.50}')
    expect(raw).toContain('"lignePosteQuantite":0.5,"lignePosteMontantUnitaireHT":200.00')

    for (const bad of [0.1 + 0.2, '12.345', '1e3', 'abc']) {
      const e = await failure<ChorusError>(() => client.soumettre(ACCOUNT, saisie(recipient, { montantTotal: { montantHtTotal: bad, montantTVA: '0.00', montantTtcTotal: '0.30', montantAPayer: '0.30' } })))
      expect(e.catalogue.code).toBe('amount_invalid')
      expect(e.message).toContain('montantTotal.montantHtTotal')
    }
    expect((await sb.calls())[SOUMETTRE]).toBe(1)
  })

  it('the sandbox, like the published clients, wants numbers: an amount sent as a string is refused naming it', async () => {
    const client = sandboxClient(sb.base)
    await client.healthCheck(ACCOUNT)
    const token = await (await fetch(`${sb.base}/api/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: SANDBOX_CREDENTIALS.clientId, client_secret: SANDBOX_CREDENTIALS.clientSecret }) })).json() as { access_token: string }
    const body = { ...saisie(recipient), lignePoste: [{ lignePosteNumero: 1, lignePosteDenomination: 'x', lignePosteQuantite: 2, lignePosteMontantUnitaireHT: 50, lignePosteTauxTva: 'TVA20' }], ligneTva: undefined, montantTotal: { montantHtTotal: '100.00', montantTVA: 20, montantTtcTotal: 120, montantAPayer: 120 } }
    const res = await fetch(`${sb.base}/cpro/${SOUMETTRE}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json', 'cpro-account': Buffer.from(`${ACCOUNT.login}:${ACCOUNT.password}`).toString('base64') },
      body: JSON.stringify(body),
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { libelle: string }).libelle).toMatch(/montantTotal\.montantHtTotal doit être un nombre JSON, pas une chaîne/)
  })
})
