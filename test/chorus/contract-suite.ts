import { describe, expect, it } from 'vitest'
import { ChorusError, type ChorusClient, type TechnicalAccount } from '../../src/chorus'
import { failure } from './sandbox-harness'

export interface ContractTarget {
  readonly client: ChorusClient
  readonly account: TechnicalAccount
  /** A public structure known to the platform, with its services (optional on the real platform). */
  readonly recipientSiret?: string
}

/**
 * What the client must do against ANY Chorus Pro: the sandbox, and the real qualification platform when
 * credentials are given. Read-only, so it can run against qualification data without leaving traces.
 */
export function defineContractSuite(name: string, target: () => ContractTarget) {
  describe(`Chorus Pro client contract: ${name}`, () => {
    it('answers the health check', async () => {
      const { client, account } = target()
      expect((await client.healthCheck(account)).statusCode).toBe('200')
    })

    it('finds the structures the technical account invoices for', async () => {
      const { client, account } = target()
      const r = await client.recupererStructuresActivesFournisseur(account)
      expect(r.codeRetour).toBe(0)
      expect(r.listeStructures.length).toBeGreaterThan(0)
      expect(typeof r.listeStructures[0]!.idStructureCPP).toBe('number')
    })

    it('reads a recipient: search by SIRET, parameters, every service', async () => {
      const { client, account, recipientSiret } = target()
      if (!recipientSiret) return
      const found = await client.rechercherStructures(account, { structure: { identifiantStructure: recipientSiret, typeIdentifiantStructure: 'SIRET' } })
      expect(found.listeStructures.map((s) => s.identifiantStructure)).toContain(recipientSiret)
      const id = found.listeStructures.find((s) => s.identifiantStructure === recipientSiret)!.idStructureCPP
      const detail = await client.consulterStructure(account, { idStructureCPP: id })
      expect(detail.parametres).toBeTruthy()
      const services = await client.rechercherServicesStructure(account, { idStructure: id, parametresRechercherServicesStructure: { nbResultatsParPage: 2 } })
      expect(services.parametresRetour?.total).toBe(services.listeServices.length)
      expect(new Set(services.listeServices.map((s) => s.idService)).size).toBe(services.listeServices.length)
    })

    it('reads every page of the supplier invoices, without duplicates', async () => {
      const { client, account } = target()
      const r = await client.rechercherFactureFournisseur(account, { rechercheFactureParFournisseur: { nbResultatsParPage: 10 } })
      expect(r.parametresRetour?.total).toBe(r.listeFactures.length)
      expect(new Set(r.listeFactures.map((f) => f.identifiantFactureCPP)).size).toBe(r.listeFactures.length)
      for (const f of r.listeFactures.slice(0, 3)) {
        if (f.montantTTC != null) expect(f.montantTTC).toMatch(/^-?\d+\.\d{2}$/)
      }
    })

    it('an empty search is an empty list, not an error', async () => {
      const { client, account } = target()
      const r = await client.rechercherFactureFournisseur(account, { numeroFacture: `NOPE-${Date.now()}` })
      expect(r.listeFactures).toEqual([])
    })

    it('a wrong technical password is a clear auth error naming the account, never quoting the password', async () => {
      const { client, account } = target()
      const wrong = { login: account.login, password: 'definitely-Wrong-42', label: 'Menuiserie Dupont' }
      const e = await failure<ChorusError>(() => client.recupererStructuresActivesFournisseur(wrong))
      expect(e).toBeInstanceOf(ChorusError)
      expect(e.kind).toBe('auth')
      expect(e.retryable).toBe(false)
      expect(e.catalogue.code).toBe('technical_account_refused')
      expect(e.messages.fr).toContain('Menuiserie Dupont')
      expect(e.messages.en).toContain('Menuiserie Dupont')
      expect(JSON.stringify(e.toJSON()) + e.message).not.toContain('definitely-Wrong-42')
    })

    it('an unknown invoice id is a ChorusError, not a crash', async () => {
      const { client, account } = target()
      const e = await failure<ChorusError>(() => client.consulterHistorique(account, { idFacture: 999_999_999 }))
      expect(e).toBeInstanceOf(ChorusError)
      expect(['not_found', 'business']).toContain(e.kind)
      expect(e.libelle).toBeTruthy()
    })
  })
}
