import { describe, expect, it } from 'vitest'
import {
  ALL_INVOICE_STATUSES,
  describeFlowStatus,
  describeStatus,
  FINAL_FLOW_STATES,
  INVOICE_STATUS_INFO,
  INVOICE_STATUSES,
  isFinalStatus,
  needsAction,
  STATUS_GROUPS,
  STATUS_GROUP_LABELS,
} from '../../src/domain/invoice-status'

describe('invoice statuses', () => {
  it('has every code of the published enumeration, each with both labels, a group and a final flag', () => {
    // turbo124/piste-gouv-fr IStatutFacture.php: 57 codes (reference §3.3, "Updates checked 2026-11").
    expect(ALL_INVOICE_STATUSES).toHaveLength(57)
    for (const code of ['ABANDONNEE', 'SUPPRIMEE', 'A_COMPLETER', 'COMPLETEE', 'PRISE_EN_COMPTE_DESTINATAIRE', 'A_VALIDER_1', 'A_VALIDER_2', 'REFUSEE_MOE', 'PRISE_EN_COMPTE_MOA', 'REMPLACEE_PAR_A22', 'TECHNIQUE_INCONNU', 'BROUILLON', 'INTERPRETEE_OCR', 'NON_CONFORME', 'ERREUR_DESTINATAIRE_PD']) {
      expect(ALL_INVOICE_STATUSES, code).toContain(code)
    }
    for (const code of ALL_INVOICE_STATUSES) {
      const info = INVOICE_STATUS_INFO[code]
      expect(info.label.fr, code).toBeTruthy()
      expect(info.label.en, code).toBeTruthy()
      expect(Object.keys(STATUS_GROUP_LABELS)).toContain(info.group)
      expect(typeof info.final).toBe('boolean')
    }
    expect(INVOICE_STATUSES.every((c) => ALL_INVOICE_STATUSES.includes(c))).toBe(true)
    // Every known code is in exactly one group (REJETEE also in to_process, as the filter always had it).
    for (const code of ALL_INVOICE_STATUSES) {
      const groups = Object.entries(STATUS_GROUPS).filter(([, codes]) => codes.includes(code)).map(([g]) => g)
      expect(groups, code).toEqual(code === 'REJETEE' ? ['to_process', 'rejected'] : [INVOICE_STATUS_INFO[code].group])
    }
  })

  it('final: payment, abandon, deletion, replacement, and a handled rejection; never an unknown code', () => {
    expect(isFinalStatus('MISE_EN_PAIEMENT', false)).toBe(true)
    expect(isFinalStatus('ABANDONNEE', false)).toBe(true)
    expect(isFinalStatus('SUPPRIMEE', false)).toBe(true)
    expect(isFinalStatus('REJETEE', false)).toBe(false)
    expect(isFinalStatus('REJETEE', true)).toBe(true)
    expect(isFinalStatus('REFUSEE_1', false)).toBe(false)
    expect(isFinalStatus('UN_STATUT_NOUVEAU', false)).toBe(false)
    expect(isFinalStatus('constructor', false)).toBe(false)
    expect(needsAction('SUSPENDUE', false)).toBe(true)
    expect(needsAction('A_COMPLETER', false)).toBe(false)
  })

  it('describes an unknown code as itself, and no group', () => {
    expect(describeStatus('UN_STATUT_NOUVEAU')).toEqual({ code: 'UN_STATUT_NOUVEAU', known: false, label: { fr: 'UN_STATUT_NOUVEAU', en: 'UN_STATUT_NOUVEAU' }, group: null })
    expect(describeStatus('toString').known).toBe(false)
    expect(STATUS_GROUPS['constructor']).toBeUndefined()
    expect(describeStatus('SUSPENDUE')).toMatchObject({ known: true, group: 'to_process', label: { fr: 'Suspendue', en: 'Suspended' } })
  })

  it('flow statuses: what each means for the invoice', () => {
    expect(describeFlowStatus('IN_INCIDENTE')).toMatchObject({ outcome: 'incident', final: true })
    expect(describeFlowStatus('IN_INCIDENTE').action?.en).toMatch(/send it again as it is/)
    expect(describeFlowStatus('IN_INTEGRE_PARTIEL')).toMatchObject({ outcome: 'partly_integrated', final: true })
    expect(describeFlowStatus('IN_EN_ATTENTE_RETRAITEMENT_CPP')).toMatchObject({ outcome: 'pending', final: false })
    expect(describeFlowStatus('IN_NOUVEAU')).toMatchObject({ known: false, outcome: 'pending', final: false, label: { fr: 'IN_NOUVEAU' } })
    expect([...FINAL_FLOW_STATES].sort()).toEqual(['IN_INCIDENTE', 'IN_INTEGRE', 'IN_INTEGRE_PARTIEL', 'IN_REJETE', 'QP_IRRECEVABLE'])
  })
})
