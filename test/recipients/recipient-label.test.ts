import { describe, expect, it } from 'vitest'
import { labelSimilarity, normalizeLabel, SUGGESTION_THRESHOLD } from '../../src/domain/recipient-label'

describe('normalizeLabel', () => {
  it.each([
    ['MAIRIE DE SAINT-ÉTIENNE', 'mairie de saint etienne'],
    ['Mairie de Saint Etienne', 'mairie de saint etienne'],
    ['  mairie   de\u00a0saint\u202fétienne. ', 'mairie de saint etienne'],
    ["Centre hospitalier d'Œuvres", 'centre hospitalier d oeuvres'],
    ['Centre hospitalier d’Œuvres', 'centre hospitalier d oeuvres'],
    ['C.H.U. de Nantes', 'chu de nantes'],
    ['CHU de Nantes', 'chu de nantes'],
    ['Lycée Jean-Moulin (Béziers)', 'lycee jean moulin beziers'],
    ['Atelier Dupont & Fils / Lyon', 'atelier dupont fils lyon'],
    ['École nº 3', 'ecole no 3'],
    ['Straße', 'strasse'],
    ['ﬁnances publiques', 'finances publiques'],
    ['---', ''],
  ])('%j → %j', (label, expected) => {
    expect(normalizeLabel(label)).toBe(expected)
  })

  it('never expands abbreviations, so "St" and "Saint" stay different', () => {
    expect(normalizeLabel('Mairie de St-Étienne')).toBe('mairie de st etienne')
    expect(normalizeLabel('Mairie de St-Étienne')).not.toBe(normalizeLabel('Mairie de Saint-Étienne'))
  })

  it('keeps digits: two districts are two recipients', () => {
    expect(normalizeLabel('Mairie du 3e arrondissement')).not.toBe(normalizeLabel('Mairie du 4e arrondissement'))
  })

  it('is idempotent', () => {
    for (const l of ['C.H.U. de Nantes', 'MAIRIE DE SAINT-ÉTIENNE', "d'Œuvres"]) expect(normalizeLabel(normalizeLabel(l))).toBe(normalizeLabel(l))
  })
})

describe('labelSimilarity', () => {
  it('is 1 for labels equal once normalised and 0 for nothing in common', () => {
    expect(labelSimilarity('MAIRIE DE LYON', 'Mairie de Lyon')).toBe(1)
    expect(labelSimilarity('Mairie de Lyon', 'Conseil départemental du Rhône')).toBeLessThan(0.1)
    expect(labelSimilarity('', 'Mairie')).toBe(0)
  })

  it('rates a typo, a missing article, another word order and an abbreviation above the suggestion threshold', () => {
    expect(labelSimilarity('Mairie de Lyon', 'Mairie de Lyonn')).toBeGreaterThan(0.8)
    expect(labelSimilarity('Mairie de Lyon', 'Lyon - Mairie')).toBeGreaterThan(0.9)
    expect(labelSimilarity('Université de Sandbox', 'Universite Sandbox')).toBeGreaterThan(0.9)
    expect(labelSimilarity('Mairie de St-Étienne', 'Mairie de Saint-Étienne')).toBeGreaterThan(SUGGESTION_THRESHOLD)
  })

  it('ranks the right recipient above one that only shares the common words', () => {
    const printed = 'Mairie de Lyonn'
    expect(labelSimilarity(printed, 'Mairie de Lyon')).toBeGreaterThan(labelSimilarity(printed, 'Mairie de Lille'))
    expect(labelSimilarity('Commune de Sandbox', 'Département du Bac-à-Sable')).toBeLessThan(SUGGESTION_THRESHOLD)
  })

  it('is symmetric', () => {
    expect(labelSimilarity('Lycée Jean Moulin', 'Lycée Jean Jaurès')).toBeCloseTo(labelSimilarity('Lycée Jean Jaurès', 'Lycée Jean Moulin'), 10)
  })
})
