import { describe, expect, it } from 'vitest'
import { chooseRule, globToRegExp, mapHostMetadata, ruleMatches, type FilingRule } from '../../src/domain/filing-rule'
import { documentState } from '../../src/domain/document-state'
import { checkIntakeFile, MAX_INTAKE_BYTES } from '../../src/sources/check-intake-file'
import { displayFilename } from '../../src/workflows/intake/receive-document'
import { ruleDomain } from '../../src/sources/odoo/odoo-source'
import { domainAnd, domainOr } from '../../src/sources/odoo/odoo-client'

const rule = (id: string, match: FilingRule['match'], extra: Partial<FilingRule> = {}): FilingRule => ({ id, name: `r${id}`, position: Number(id), enabled: true, match, accountId: null, metadataMap: {}, ...extra })

describe('filing rules (pure)', () => {
  it('globs: * within a segment, ** across, ? one character', () => {
    expect(globToRegExp('clients/**').test('clients/a/b.pdf')).toBe(true)
    expect(globToRegExp('clients/*.pdf').test('clients/a/b.pdf')).toBe(false)
    expect(globToRegExp('**/*.pdf').test('b.pdf')).toBe(true)
    expect(globToRegExp('**/*.pdf').test('x/y/b.pdf')).toBe(true)
    expect(globToRegExp('FAC-??.pdf', true).test('fac-12.PDF')).toBe(true)
    expect(globToRegExp('a.b').test('axb')).toBe(false)
  })

  it('takes everything when a source has no rule; skips what no rule matches once it has some', () => {
    expect(chooseRule({ filename: 'x.pdf' }, [])).toEqual({ take: true, rule: null })
    const rules = [rule('2', { filename: 'FAC*' }), rule('1', { path: 'clients/**' })]
    expect(chooseRule({ filename: 'x.pdf', path: 'other/x.pdf' }, rules)).toEqual({ take: false, reason: 'no_rule_matched' })
    // First by position: rule 1 wins although listed second.
    const d = chooseRule({ filename: 'FAC1.pdf', path: 'clients/FAC1.pdf' }, rules)
    expect(d.take && d.rule?.id).toBe('1')
    // A disabled rule never matches.
    expect(chooseRule({ filename: 'FAC1.pdf' }, [rule('1', {}, { enabled: false })]).take).toBe(false)
  })

  it('tags (all, any, none) ignore case; folders match their sub-folders through ancestors', () => {
    const c = { filename: 'a.pdf', tags: ['Facture', 'Client A'], folderIds: [12, 5, 1] }
    expect(ruleMatches(c, { tags: { all: ['facture'] } })).toBe(true)
    expect(ruleMatches(c, { tags: { all: ['facture', 'payée'] } })).toBe(false)
    expect(ruleMatches(c, { tags: { any: ['x', 'client a'] } })).toBe(true)
    expect(ruleMatches(c, { tags: { none: ['Client A'] } })).toBe(false)
    expect(ruleMatches(c, { folderId: 5 })).toBe(true)
    expect(ruleMatches(c, { folderId: 6 })).toBe(false)
  })

  it('metadata predicates', () => {
    const c = { filename: 'a.pdf', metadata: { kind: 'invoice', amount: 12, partner: { name: 'Ville de Test' }, empty: '' } }
    expect(ruleMatches(c, { metadata: [{ field: 'kind', op: 'equals', value: 'invoice' }] })).toBe(true)
    expect(ruleMatches(c, { metadata: [{ field: 'kind', op: 'notEquals', value: 'invoice' }] })).toBe(false)
    expect(ruleMatches(c, { metadata: [{ field: 'amount', op: 'in', value: [11, 12] }] })).toBe(true)
    expect(ruleMatches(c, { metadata: [{ field: 'partner.name', op: 'matches', value: '^ville' }] })).toBe(true)
    expect(ruleMatches(c, { metadata: [{ field: 'empty', op: 'exists' }] })).toBe(false)
    expect(ruleMatches(c, { metadata: [{ field: 'nothing', op: 'missing' }] })).toBe(true)
    expect(ruleMatches(c, { metadata: [{ field: 'kind', op: 'matches', value: '(' }] })).toBe(false)
  })

  it('maps host metadata to our fields as host fields with confidence 1, ignoring unknown targets and empty values', () => {
    const f = mapHostMetadata({ num: ' FA-1 ', siret: 12345678200010, partner_id: [7, 'Mairie'], blank: '', x: 'y' }, { num: 'invoiceNumber', siret: 'recipientSiret', partner_id: 'recipientLabel', blank: 'serviceCode', x: 'notAField' })
    expect(f).toEqual({
      invoiceNumber: { value: 'FA-1', origin: 'host', confidence: 1 },
      recipientSiret: { value: '12345678200010', origin: 'host', confidence: 1 },
      recipientLabel: { value: 'Mairie', origin: 'host', confidence: 1 },
    })
  })

  it('turns rules into Odoo domains (prefix notation), or null when a named tag does not exist', () => {
    const tags = new Map([['facture', 7], ['payée', 8]])
    expect(ruleDomain({ folderId: 3, tags: { all: ['Facture'], none: ['payée'] } }, tags)).toEqual(['&', '&', ['folder_id', 'child_of', 3], ['tag_ids', 'in', [7]], ['tag_ids', 'not in', [8]]])
    expect(ruleDomain({ tags: { all: ['inconnu'] } }, tags)).toBeNull()
    expect(domainOr([[['a', '=', 1]], ['&', ['b', '=', 1], ['c', '=', 1]]])).toEqual(['|', ['a', '=', 1], '&', ['b', '=', 1], ['c', '=', 1]])
    expect(domainOr([[['a', '=', 1]], []])).toEqual([])
    expect(domainAnd([[], [['a', '=', 1]]])).toEqual([['a', '=', 1]])
  })
})

describe('document state', () => {
  const base = { stage: 'to_submit', ready: false, analysis_status: 'done', analysis_error: null, submit_error: null }
  it.each([
    [{ ...base, stage: 'received', analysis_status: 'pending' }, 'analysing'],
    [{ ...base, stage: 'analysing', analysis_status: 'pending' }, 'analysing'],
    [{ ...base, ready: true }, 'ready'],
    [base, 'incomplete'],
    [{ ...base, analysis_status: 'error', analysis_error: { code: 'file_not_pdf' } }, 'error'],
    [{ ...base, ready: true, submit_error: { code: 'chorus_x' } }, 'error'],
    [{ ...base, stage: 'submitting', ready: true }, 'ready'],
    [{ ...base, stage: 'submitted' }, 'submitted'],
    [{ ...base, stage: 'removed', ready: true }, 'removed'],
  ])('%o is %s', (row, state) => {
    expect(documentState(row as any)).toBe(state)
  })
})

describe('intake file checks', () => {
  const enc = (s: string) => new TextEncoder().encode(s)
  it('refuses empty, non-PDF, oversized, truncated and encrypted files, by header and trailer only', () => {
    expect(checkIntakeFile(new Uint8Array())?.code).toBe('file_empty')
    expect(checkIntakeFile(enc('PK\u0003\u0004 zip'))?.code).toBe('file_not_pdf')
    expect(checkIntakeFile(enc('%PDF-1.7\n'), MAX_INTAKE_BYTES + 1)?.code).toBe('file_too_large')
    expect(checkIntakeFile(enc('%PDF-1.7\n1 0 obj << >> endobj\nstream\nabc'))?.code).toBe('file_truncated')
    expect(checkIntakeFile(enc('%PDF-1.7\ntrailer << /Root 1 0 R /Encrypt 5 0 R >>\n%%EOF\n'))?.code).toBe('file_encrypted')
    expect(checkIntakeFile(enc('%PDF-1.7\ntrailer << /Root 1 0 R >>\n%%EOF\n'))).toBeNull()
    expect(checkIntakeFile(enc('%PDF-1.7\ntrailer << /Root 1 0 R >>\n%%EOF\n'))).toBeNull()
    expect(checkIntakeFile(enc('%PDF-1.7\n'), MAX_INTAKE_BYTES)?.code).toBe('file_truncated')
  })
  it('has FR and EN messages for each refusal', () => {
    const e = checkIntakeFile(new Uint8Array())!
    expect(e.message.fr).toMatch(/vide/)
    expect(e.message.en).toMatch(/empty/)
  })
  it('keeps odd names readable and safe', () => {
    expect(displayFilename('../../etc/passwd')).toBe('passwd')
    expect(displayFilename('C:\\scans\\facture été.pdf')).toBe('facture été.pdf')
    expect(displayFilename('..')).toBe('document.pdf')
    expect(displayFilename('a\u0000b\u001f.pdf')).toBe('ab.pdf')
    expect([...displayFilename('é'.repeat(300))].length).toBe(255)
  })
})
