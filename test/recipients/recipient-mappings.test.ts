import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import {
  checkDirectory,
  createMapping,
  DuplicateMappingError,
  findMapping,
  listMappings,
  suggestMappings,
  updateMapping,
} from '../../src/db/recipient-mappings'
import { learnMapping as learnWith } from '../../src/workflows/recipients/learn-mapping'
import { recheckAffectedDocuments } from '../../src/workflows/recipients/recheck-affected-documents'
import { cacheStructure, makeAccount, makeDocument, recheckJobs, SIRET_A, SIRET_B, SIRET_C, testPorts } from './support'
import type { Ports } from '../../src/workflows/ports'

describe.each(testEngines())('recipient mappings on $name', (engine) => {
  let t: TestDatabase
  let ports: Ports
  let acc1: string
  let acc2: string
  beforeAll(async () => {
    t = await engine.open()
    ports = testPorts(t.db).ports
    acc1 = (await makeAccount(ports, 'Fournisseur 1')).id
    acc2 = (await makeAccount(ports, 'Fournisseur 2')).id
  })
  afterAll(() => t.close())
  beforeEach(async () => {
    await t.db.deleteFrom('jobs').execute()
    await t.db.deleteFrom('documents').execute()
    await t.db.deleteFrom('recipient_mappings').execute()
    await t.db.deleteFrom('audit_log').execute()
  })

  const base = { serviceCode: null, engagementNumber: null }

  describe('findMapping', () => {
    it('matches the exact label, then the normalised one, and reports which', async () => {
      await createMapping(t.db, { ...base, accountId: null, label: 'Mairie de Saint-Étienne', recipientSiret: SIRET_A })
      expect((await findMapping(t.db, null, 'Mairie de Saint-Étienne'))?.matchedBy).toBe('exact')
      const n = await findMapping(t.db, null, '  MAIRIE DE SAINT ETIENNE ')
      expect(n?.matchedBy).toBe('normalized')
      expect(n?.mapping.recipientSiret).toBe(SIRET_A)
      expect(await findMapping(t.db, null, 'Mairie de St-Étienne')).toBeNull() // abbreviations are not expanded
      expect(await findMapping(t.db, null, '...')).toBeNull()
    })

    it('prefers the account’s own mapping to a global one, and never uses another account’s', async () => {
      await createMapping(t.db, { ...base, accountId: null, label: 'Mairie de Lyon', recipientSiret: SIRET_A })
      await createMapping(t.db, { ...base, accountId: acc1, label: 'MAIRIE DE LYON', recipientSiret: SIRET_B, serviceCode: 'ACHATS' })
      expect((await findMapping(t.db, acc1, 'Mairie de Lyon'))?.mapping.recipientSiret).toBe(SIRET_B)
      expect((await findMapping(t.db, Number(acc1), 'Mairie de Lyon'))?.mapping.recipientSiret).toBe(SIRET_B)
      expect((await findMapping(t.db, acc2, 'Mairie de Lyon'))?.mapping.recipientSiret).toBe(SIRET_A)
      expect((await findMapping(t.db, null, 'Mairie de Lyon'))?.mapping.recipientSiret).toBe(SIRET_A)
      await createMapping(t.db, { ...base, accountId: acc2, label: 'Lycée Jean Moulin', recipientSiret: SIRET_C })
      expect(await findMapping(t.db, acc1, 'Lycée Jean Moulin')).toBeNull()
    })

    it('refuses a second mapping of the same normalised label in the same scope, on both the code and the unique index', async () => {
      await createMapping(t.db, { ...base, accountId: acc1, label: 'Mairie de Lyon', recipientSiret: SIRET_A })
      await expect(createMapping(t.db, { ...base, accountId: acc1, label: 'mairie de lyon', recipientSiret: SIRET_B })).rejects.toBeInstanceOf(DuplicateMappingError)
      await expect(t.db.insertInto('recipient_mappings').values({ account_id: acc1, label: 'x', label_normalized: 'mairie de lyon', recipient_siret: SIRET_B }).execute()).rejects.toThrow()
      await createMapping(t.db, { ...base, accountId: null, label: 'mairie de lyon', recipientSiret: SIRET_B }) // another scope is fine
    })
  })

  describe('suggestMappings', () => {
    it('offers close labels best first, from the account and global scopes only, never the exact one', async () => {
      await createMapping(t.db, { ...base, accountId: null, label: 'Mairie de Lyon', recipientSiret: SIRET_A })
      await createMapping(t.db, { ...base, accountId: null, label: 'Mairie de Lille', recipientSiret: SIRET_B })
      await createMapping(t.db, { ...base, accountId: acc2, label: 'Mairie de Lyon 2e', recipientSiret: SIRET_C })
      await createMapping(t.db, { ...base, accountId: null, label: 'Conseil départemental du Rhône', recipientSiret: SIRET_C })
      const s = await suggestMappings(t.db, acc1, 'Mairie de Lyonn', 5)
      expect(s.map((x) => x.mapping.label)).toEqual(['Mairie de Lyon', 'Mairie de Lille'])
      expect(s[0]!.score).toBeGreaterThan(s[1]!.score)
      expect((await suggestMappings(t.db, acc2, 'Mairie de Lyonn', 5)).map((x) => x.mapping.label)).toContain('Mairie de Lyon 2e')
      expect(await suggestMappings(t.db, acc1, 'Mairie de Lyonn', 1)).toHaveLength(1)
      expect((await suggestMappings(t.db, acc1, 'Mairie de Lyon', 5)).map((x) => x.mapping.label)).not.toContain('Mairie de Lyon')
      expect(await suggestMappings(t.db, acc1, 'Trésorerie de Brest', 5)).toEqual([])
    })

    it('never applies a suggestion: findMapping still answers null', async () => {
      await createMapping(t.db, { ...base, accountId: null, label: 'Mairie de Lyon', recipientSiret: SIRET_A })
      expect(await findMapping(t.db, acc1, 'Mairie de Lyonn')).toBeNull()
    })
  })

  describe('learnMapping', () => {
    it('creates a learned mapping of the account, then updates it, and audits both', async () => {
      const r1 = await learnWith(ports, t.db, { accountId: acc1, label: 'Commune de Sandbox', recipientSiret: SIRET_A, serviceCode: 'SERV_TECH', engagementNumber: 'EJ-1' })
      expect(r1.action).toBe('created')
      expect(r1.mapping).toMatchObject({ accountId: acc1, origin: 'learned', recipientSiret: SIRET_A, serviceCode: 'SERV_TECH', engagementNumber: null })
      const same = await learnWith(ports, t.db, { accountId: acc1, label: 'COMMUNE DE SANDBOX', recipientSiret: SIRET_A, serviceCode: 'SERV_TECH', engagementNumber: null })
      expect(same.action).toBe('unchanged')
      const r2 = await learnWith(ports, t.db, { accountId: acc1, label: 'Commune de Sandbox', recipientSiret: SIRET_A, serviceCode: 'TRAVAUX', engagementNumber: null })
      expect(r2.action).toBe('updated')
      expect(r2.mapping?.id).toBe(r1.mapping?.id)
      expect(r2.mapping?.serviceCode).toBe('TRAVAUX')
      const audits = await t.db.selectFrom('audit_log').select(['action', 'actor', 'details']).where('action', '=', 'recipient_mapping.learn').orderBy('id').execute()
      expect(audits.map((a) => (a.details as any).action)).toEqual(['created', 'updated'])
      expect((audits[1]!.details as any).before.serviceCode).toBe('SERV_TECH')
    })

    it('never overwrites a manual or imported mapping of the account', async () => {
      for (const origin of ['manual', 'imported'] as const) {
        const m = await createMapping(t.db, { ...base, accountId: acc1, label: `Lycée ${origin}`, recipientSiret: SIRET_A, serviceCode: 'A', origin })
        const r = await learnWith(ports, t.db, { accountId: acc1, label: `Lycée ${origin}`, recipientSiret: SIRET_B, serviceCode: 'B' })
        expect(r.action).toBe('kept')
        const after = (await findMapping(t.db, acc1, `Lycée ${origin}`))!.mapping
        expect(after).toMatchObject({ id: m.id, recipientSiret: SIRET_A, serviceCode: 'A', origin })
      }
    })

    it('never shadows a global manual mapping with a learned one of the account', async () => {
      await createMapping(t.db, { ...base, accountId: null, label: 'Université de Sandbox', recipientSiret: SIRET_A, serviceCode: 'X' })
      const r = await learnWith(ports, t.db, { accountId: acc1, label: 'Universite de Sandbox', recipientSiret: SIRET_B, serviceCode: 'Y' })
      expect(r.action).toBe('kept')
      expect((await findMapping(t.db, acc1, 'Université de Sandbox'))!.mapping.recipientSiret).toBe(SIRET_A)
      expect(await t.db.selectFrom('recipient_mappings').select('id').where('account_id', '=', acc1).execute()).toHaveLength(0)
    })

    it('skips an empty label and the reserved FACTURES_PUBLIQUES service', async () => {
      expect((await learnWith(ports, t.db, { accountId: acc1, label: ' - ', recipientSiret: SIRET_A, serviceCode: null })).action).toBe('skipped')
      expect((await learnWith(ports, t.db, { accountId: acc1, label: 'Mairie', recipientSiret: SIRET_A, serviceCode: 'FACTURES_PUBLIQUES' })).action).toBe('skipped')
      expect(await t.db.selectFrom('recipient_mappings').select('id').execute()).toHaveLength(0)
    })

    it('works inside the caller’s transaction, and rolls back with it', async () => {
      await t.db.transaction().execute(async (trx) => {
        const r = await learnWith(ports, trx, { accountId: acc2, label: 'Mairie de Brest', recipientSiret: SIRET_A, serviceCode: null })
        expect(r.action).toBe('created')
      })
      expect(await findMapping(t.db, acc2, 'Mairie de Brest')).not.toBeNull()
      await expect(
        t.db.transaction().execute(async (trx) => {
          await learnWith(ports, trx, { accountId: acc2, label: 'Mairie de Quimper', recipientSiret: SIRET_A, serviceCode: null })
          throw new Error('submission failed to commit')
        }),
      ).rejects.toThrow('submission failed')
      expect(await findMapping(t.db, acc2, 'Mairie de Quimper')).toBeNull()
    })

    it('re-checks the account’s waiting documents with that label', async () => {
      const d1 = await makeDocument(t.db, { accountId: acc1, label: 'MAIRIE DE MORLAIX' })
      await makeDocument(t.db, { accountId: acc2, label: 'Mairie de Morlaix' })
      const r = await learnWith(ports, t.db, { accountId: acc1, label: 'Mairie de Morlaix', recipientSiret: SIRET_A, serviceCode: null })
      expect(r.recheckedDocuments).toBe(1)
      expect(await recheckJobs(t.db)).toEqual([d1])
    })
  })

  describe('re-checks', () => {
    it('finds to-submit documents whose label normalises to the mapping’s, for the account (any account when global)', async () => {
      const a1 = await makeDocument(t.db, { accountId: acc1, label: 'Mairie de Saint-Étienne' })
      const a1b = await makeDocument(t.db, { accountId: acc1, label: 'MAIRIE DE SAINT ETIENNE.' })
      const a2 = await makeDocument(t.db, { accountId: acc2, label: 'mairie de saint etienne' })
      const none = await makeDocument(t.db, { accountId: null, label: 'Mairie de Saint-Étienne' })
      await makeDocument(t.db, { accountId: acc1, label: 'Mairie de St-Étienne' })
      await makeDocument(t.db, { accountId: acc1, label: 'Mairie de Saint-Étienne', stage: 'submitted' })
      await makeDocument(t.db, { accountId: acc1, label: null })
      expect(await recheckAffectedDocuments(ports, t.db, [{ accountId: acc1, labelNormalized: 'mairie de saint etienne' }])).toBe(2)
      expect(await recheckJobs(t.db)).toEqual([a1, a1b])
      await t.db.deleteFrom('jobs').execute()
      expect(await recheckAffectedDocuments(ports, t.db, [{ accountId: null, labelNormalized: 'mairie de saint etienne' }])).toBe(4)
      expect(await recheckJobs(t.db)).toEqual([a1, a1b, a2, none])
    })

    it('enqueues one pending job per document however many changes touch it', async () => {
      const d = await makeDocument(t.db, { accountId: acc1, label: 'Mairie de Vannes' })
      await recheckAffectedDocuments(ports, t.db, [{ accountId: acc1, labelNormalized: 'mairie de vannes' }])
      await recheckAffectedDocuments(ports, t.db, [{ accountId: null, labelNormalized: 'mairie de vannes' }, { accountId: acc1, labelNormalized: 'mairie de vannes' }])
      const jobs = await t.db.selectFrom('jobs').select(['key', 'payload']).execute()
      expect(jobs).toEqual([{ key: `document.recheck:${d}`, payload: { documentId: d } }])
    })
  })

  describe('listMappings', () => {
    it('pages with a keyset cursor in label order, with the total, and filters by words, SIRET, account and origin', async () => {
      for (let i = 0; i < 7; i++) await createMapping(t.db, { ...base, accountId: i % 2 ? acc1 : null, label: `Lycée numéro ${String(i).padStart(2, '0')}`, recipientSiret: i === 3 ? SIRET_B : SIRET_A, origin: i === 5 ? 'learned' : 'manual' })
      const seen: string[] = []
      let cursor: string | undefined
      let pages = 0
      do {
        const page = await listMappings(t.db, { limit: 3, cursor })
        expect(page.total).toBe(7)
        seen.push(...page.items.map((m) => m.label))
        cursor = page.nextCursor ?? undefined
        pages++
      } while (cursor)
      expect(pages).toBe(3)
      expect(seen).toEqual([...seen].sort())
      expect(new Set(seen).size).toBe(7)
      expect((await listMappings(t.db, { limit: 10, q: 'LYCEE numero 03' })).items.map((m) => m.label)).toEqual(['Lycée numéro 03'])
      expect((await listMappings(t.db, { limit: 10, q: SIRET_B.slice(0, 5) + ' ' + SIRET_B.slice(5) })).total).toBe(1)
      expect((await listMappings(t.db, { limit: 10, account: 'global' })).total).toBe(4)
      expect((await listMappings(t.db, { limit: 10, account: acc1 })).total).toBe(3)
      expect((await listMappings(t.db, { limit: 10, origin: 'learned' })).total).toBe(1)
      expect((await listMappings(t.db, { limit: 10, q: '100%_' })).total).toBe(0)
    })
  })

  describe('updateMapping', () => {
    it('makes the mapping manual and refuses a label that collides in its scope', async () => {
      const learned = (await learnWith(ports, t.db, { accountId: acc1, label: 'Collège Nord', recipientSiret: SIRET_A, serviceCode: null })).mapping!
      await createMapping(t.db, { ...base, accountId: acc1, label: 'Collège Sud', recipientSiret: SIRET_B })
      const r = await updateMapping(t.db, learned.id, { serviceCode: 'SERV_TECH' })
      expect(r?.after).toMatchObject({ origin: 'manual', serviceCode: 'SERV_TECH', label: 'Collège Nord' })
      await expect(updateMapping(t.db, learned.id, { label: 'COLLEGE SUD' })).rejects.toBeInstanceOf(DuplicateMappingError)
      expect(await updateMapping(t.db, '999999', { serviceCode: 'X' })).toBeUndefined()
    })
  })

  describe('checkDirectory', () => {
    it('reads the status of each routing from the directory cache of the environment', async () => {
      const S = (n: string) => n.padEnd(14, '0')
      await cacheStructure(t.db, S('1'), { services: [{ code: 'ACHATS' }, { code: 'OLD', active: false }, { code: 'EJ', engagementRequired: true }] })
      await cacheStructure(t.db, S('2'), { serviceRequired: true, services: [{ code: 'ACHATS' }] })
      await cacheStructure(t.db, S('3'), { active: false })
      await cacheStructure(t.db, S('4'), { found: false, active: false })
      await t.db.insertInto('structures').values({ environment: 'production', siret: S('5'), active: true }).execute()
      const checks = await checkDirectory(t.db, 'sandbox', [
        { recipientSiret: S('1'), serviceCode: 'ACHATS' },
        { recipientSiret: S('1'), serviceCode: null },
        { recipientSiret: S('1'), serviceCode: 'OLD' },
        { recipientSiret: S('1'), serviceCode: 'NOPE' },
        { recipientSiret: S('1'), serviceCode: 'FACTURES_PUBLIQUES' },
        { recipientSiret: S('1'), serviceCode: 'EJ' },
        { recipientSiret: S('2'), serviceCode: null },
        { recipientSiret: S('3'), serviceCode: 'ACHATS' },
        { recipientSiret: S('4'), serviceCode: null },
        { recipientSiret: S('5'), serviceCode: null },
      ])
      expect(checks.map((c) => c.status)).toEqual(['ok', 'ok', 'service_inactive', 'service_unknown', 'service_reserved', 'ok', 'service_required', 'recipient_inactive', 'recipient_unknown', 'not_checked'])
      expect(checks[0]).toMatchObject({ recipientName: 'Structure', serviceLabel: 'Service ACHATS', engagementRequired: false })
      expect(checks[5]!.engagementRequired).toBe(true)
      expect(checks[9]!.checkedAt).toBeNull()
    })
  })
})
