import { describe, expect, it } from 'vitest'
import {
  BILLING_FRAMEWORKS,
  billingFrameworkFromXml,
  billingFrameworkOf,
  billingFrameworkProblem,
  DEFAULT_BILLING_FRAMEWORK,
  OFFERED_BILLING_FRAMEWORKS,
} from '../../src/domain/billing-framework'
import { checkCompleteness, type CompletenessInput } from '../../src/domain/completeness'
import { fieldLayer, FIELD_NAMES, mergeFields } from '../../src/domain/invoice-fields'
import { FIELD_LABELS } from '../../src/domain/field-labels'
import { chooseSubmissionRoute, fieldsNotInXml } from '../../src/domain/submission-route'

describe('billing frameworks (cadre de facturation)', () => {
  it('lists Chorus Pro’s 25 codes, each once, short code first, with a French and an English label', () => {
    expect(BILLING_FRAMEWORKS).toHaveLength(25)
    expect(BILLING_FRAMEWORKS.map((f) => f.short)).toEqual(Array.from({ length: 25 }, (_, i) => `A${i + 1}`))
    expect(new Set(BILLING_FRAMEWORKS.map((f) => f.code)).size).toBe(25)
    for (const f of BILLING_FRAMEWORKS) {
      expect(f.code.startsWith(`${f.short}_`)).toBe(true)
      expect(f.label.fr).toBeTruthy()
      expect(f.label.en).toBeTruthy()
      expect(f.label.fr).not.toBe(f.label.en)
    }
    expect(billingFrameworkOf('A9')?.code).toBe('A9_FACTURE_SOUSTRAITANT')
    expect(billingFrameworkOf('A12')?.code).toBe('A12_FACTURE_COTRAITANT')
  })

  it('offers only what the connector submits correctly: A1 (the default) and A2 (already paid)', () => {
    expect(DEFAULT_BILLING_FRAMEWORK).toBe('A1_FACTURE_FOURNISSEUR')
    expect(OFFERED_BILLING_FRAMEWORKS.map((f) => f.code)).toEqual(['A1_FACTURE_FOURNISSEUR', 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE'])
    expect(OFFERED_BILLING_FRAMEWORKS.every((f) => !f.needsValidator && !f.works)).toBe(true)
    // Subcontractors and co-contractors name a validator structure; works statements are works.
    expect(billingFrameworkOf('A9')).toMatchObject({ needsValidator: true, works: false, offered: false })
    expect(billingFrameworkOf('A12')).toMatchObject({ needsValidator: true, works: false, offered: false })
    for (const s of ['A4', 'A5', 'A6', 'A7', 'A8', 'A10', 'A11', 'A13', 'A14', 'A15', 'A16', 'A17', 'A18', 'A19', 'A20', 'A22', 'A23', 'A24', 'A25']) {
      expect(billingFrameworkOf(s), s).toMatchObject({ works: true, needsValidator: true, offered: false })
    }
    expect(billingFrameworkOf('A3')).toMatchObject({ works: false, offered: false })
    expect(billingFrameworkOf('A21')).toMatchObject({ works: false, offered: false })
  })

  it('reads a code long or short, in any case, and knows no other', () => {
    expect(billingFrameworkOf(' a2 ')?.code).toBe('A2_FACTURE_FOURNISSEUR_DEJA_PAYEE')
    expect(billingFrameworkOf('A2_FACTURE_FOURNISSEUR_DEJA_PAYEE')?.short).toBe('A2')
    for (const bad of ['A0', 'A26', 'B1', 'A1_FACTURE', '', null, undefined]) expect(billingFrameworkOf(bad), String(bad)).toBeUndefined()
  })

  it('maps BT-23 to the form’s value: Chorus Pro codes only, an unknown A-code kept to be shown as such', () => {
    expect(billingFrameworkFromXml('A1')).toBe('A1_FACTURE_FOURNISSEUR')
    expect(billingFrameworkFromXml(' A2 ')).toBe('A2_FACTURE_FOURNISSEUR_DEJA_PAYEE')
    expect(billingFrameworkFromXml('A9_FACTURE_SOUSTRAITANT')).toBe('A9_FACTURE_SOUSTRAITANT')
    expect(billingFrameworkFromXml('A26')).toBe('A26')
    // Other schemes' business processes say nothing of Chorus Pro's framework.
    for (const other of ['urn:fdc:peppol.eu:2017:poacc:billing:01:1.0', 'S1', 'B2', 'M1', '', null]) expect(billingFrameworkFromXml(other), String(other)).toBeNull()
  })

  it('says in words why a framework cannot go, in French and English, naming the choices', () => {
    expect(billingFrameworkProblem('A1')).toBeNull()
    expect(billingFrameworkProblem('A2_FACTURE_FOURNISSEUR_DEJA_PAYEE')).toBeNull()
    const unknown = billingFrameworkProblem('Z9')!
    expect(unknown.code).toBe('billing_framework_invalid')
    expect(unknown.message.fr).toBe('« Z9 » n’est pas un cadre de facturation de Chorus Pro : choisissez A1 (facture fournisseur) ou A2 (facture déjà payée).')
    expect(unknown.message.en).toBe('"Z9" is not a Chorus Pro billing framework: choose A1 (supplier invoice) or A2 (invoice already paid).')
    const sub = billingFrameworkProblem('A9')!
    expect(sub.code).toBe('billing_framework_unsupported')
    expect(sub.message.fr).toMatch(/^Le cadre A9 \(facture de sous-traitant\) n’est pas pris en charge par le connecteur : Chorus Pro exige alors la structure valideuse/)
    expect(sub.message.en).toMatch(/^Framework A9 \(subcontractor invoice\) is not supported by the connector: Chorus Pro then requires the validating structure/)
    expect(billingFrameworkProblem('A8')!.message.fr).toMatch(/marché de travaux/)
    expect(billingFrameworkProblem('A3')!.message.en).toMatch(/particular procedure/)
  })

  it('is a form field with its label in both languages', () => {
    expect(FIELD_NAMES).toContain('billingFramework')
    expect(FIELD_LABELS.billingFramework).toEqual({ fr: 'Cadre de facturation', en: 'Billing framework' })
  })
})

describe('billing framework in completeness', () => {
  const base = { invoiceNumber: 'F-2026-0001', invoiceDate: '2026-10-01', recipientSiret: '21760000000012', amountNet: '100.00', amountVat: '20.00', amountGross: '120.00' }
  const input = (fields: Record<string, string | undefined>): CompletenessInput => ({
    fields: fieldLayer('xml', { ...base, ...fields }),
    hasAccount: true,
    directory: { found: true, active: true, serviceRequired: false, engagementRequired: false, serviceOrEngagement: false, services: [] },
    pdfSize: 10_000,
    today: '2026-11-21',
  })
  const problems = (f: Record<string, string | undefined>) => checkCompleteness(input(f)).map((p) => [p.code, p.field])

  it('takes none (A1), A1 and A2; flags an unknown or unsupported one on its field', () => {
    expect(problems({})).toEqual([])
    expect(problems({ billingFramework: 'A1_FACTURE_FOURNISSEUR' })).toEqual([])
    expect(problems({ billingFramework: 'A26' })).toEqual([['billing_framework_invalid', 'billingFramework']])
    expect(problems({ billingFramework: 'A12_FACTURE_COTRAITANT' })).toEqual([['billing_framework_unsupported', 'billingFramework']])
  })

  it('an invoice already paid (A2) must leave nothing to pay', () => {
    expect(problems({ billingFramework: 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE', amountDue: '0.00' })).toEqual([])
    expect(problems({ billingFramework: 'A2', amountDue: '0' })).toEqual([])
    // No amount due: Chorus Pro reads the gross amount, which is not 0.
    const [p] = checkCompleteness(input({ billingFramework: 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE' }))
    expect(p).toMatchObject({ code: 'amount_due_not_zero_when_paid', field: 'amountDue' })
    expect(p!.message.fr).toBe('Facture déjà payée (cadre A2) : le net à payer doit être 0 (il est de 120.00). Saisissez 0, ou choisissez le cadre A1 si elle reste à payer.')
    expect(problems({ billingFramework: 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE', amountDue: '20.00' })).toEqual([['amount_due_not_zero_when_paid', 'amountDue']])
  })
})

describe('billing framework and the submission route', () => {
  const xml = fieldLayer('xml', { invoiceNumber: 'FX-1', invoiceDate: '2026-11-20', recipientSiret: '21760000000019', supplierSiret: '98765432100015', amountNet: '100.00', amountVat: '20.00', amountGross: '120.00', amountDue: '0.00' })
  const route = (form: ReturnType<typeof mergeFields>, x = xml) => chooseSubmissionRoute({ setting: 'auto', hasFacturx: true, validForStructuredRoute: true, xml: x, form })

  it('no framework on either side is A1 on both: the flow goes', () => {
    expect(route(mergeFields([xml]))).toMatchObject({ route: 'facturx' })
    const xmlA1 = { ...xml, ...fieldLayer('xml', { billingFramework: 'A1_FACTURE_FOURNISSEUR' }) }
    expect(fieldsNotInXml(xmlA1, mergeFields([xml]))).toEqual([])
    expect(fieldsNotInXml(xml, mergeFields([xmlA1]))).toEqual([])
  })

  it('a framework a person changed is an edit the flow would not carry: PDF route, named', () => {
    const form = mergeFields([fieldLayer('person', { billingFramework: 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE' }), xml])
    const d = route(form)
    expect(d).toMatchObject({ route: 'pdf', reason: 'fields_not_in_xml', fields: ['billingFramework'] })
    expect(d.message.fr).toMatch(/^Voie PDF au lieu du flux Factur-X : cadre de facturation diffère du XML intégré/)
    expect(d.message.en).toMatch(/billing framework differs from the embedded XML/)
    // The XML's own A2, kept: the flow carries it.
    const xmlA2 = { ...xml, ...fieldLayer('xml', { billingFramework: 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE' }) }
    expect(route(mergeFields([xmlA2]), xmlA2)).toMatchObject({ route: 'facturx' })
    // Set back to A1 by a person over an XML A2: an edit too.
    expect(fieldsNotInXml(xmlA2, mergeFields([fieldLayer('person', { billingFramework: 'A1_FACTURE_FOURNISSEUR' }), xmlA2]))).toEqual(['billingFramework'])
  })
})
