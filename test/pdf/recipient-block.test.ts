import { describe, expect, it } from 'vitest'
import { extractTextFields } from '../../src/pdf/extract-text-fields'
import type { TextLine } from '../../src/pdf/read-page-lines'

/** Lines as the layout reader gives them: each string is one line, tabs separate cells (the second column at x = 300). */
function lines(...rows: string[]): TextLine[] {
  return rows.map((row, i) => {
    const cells = row.split('\t').map((text, j) => ({ x: 50 + j * 250, x2: 50 + j * 250 + text.length * 5, text, size: 10 }))
    return { page: 1, y: 50 + i * 14, cells, text: row }
  })
}

const label = (...rows: string[]) => extractTextFields(lines(...rows), { supplierSirets: ['73282932000074'] }).fields.recipientLabel?.value

describe('the recipient label of a common recipient block (issue 17, item 6)', () => {
  it('reads the name under "Destinataire", past a service line without a colon', () => {
    expect(label('Menuiserie Durand SARL', 'SIRET : 732 829 320 00074', 'FACTURE N° F-2026-017', 'Destinataire', 'Mairie de Saint-Étienne', 'Services techniques', 'SIRET : 214 202 186 00012')).toBe('Mairie de Saint-Étienne')
  })

  it('reads it beside the supplier, in its own column, under "Client", "Facturé à" or "Bill to"', () => {
    expect(label('Menuiserie Durand SARL\tClient', '12 rue des Lilas\tCommune de Rive-de-Gier', '42000 Saint-Étienne\tServices techniques', 'SIRET 73282932000074\tSIRET 21420218600012')).toBe('Commune de Rive-de-Gier')
    expect(label('Facturé à', '4 avenue Jean Jaurès', 'Centre hospitalier de Valence', 'SIRET : 26260000100012')).toBe('Centre hospitalier de Valence')
    expect(label('Bill to', 'University of Lorraine', '34 cours Léopold', '54000 Nancy')).toBe('University of Lorraine')
    expect(label('Client : Mairie de Lyon', 'SIRET : 217 506 830 00017')).toBe('Mairie de Lyon')
  })

  it('keeps an explicit service label first, as before', () => {
    expect(label('Destinataire', 'Mairie de Lyon', 'Service : Direction des achats', 'SIRET : 217 506 830 00017')).toBe('Direction des achats')
    expect(label('Destinataire', 'Mairie de Lyon', 'Direction des finances')).toBe('Direction des finances')
  })

  it('reads no address, identifier or other header as a name', () => {
    expect(label('Destinataire', '12 rue de la République', '69001 Lyon')).toBeUndefined()
    expect(label('Destinataire', 'SIRET : 217 506 830 00017')).toBeUndefined()
    expect(label('Destinataire', 'Fournisseur', 'ACME')).toBeUndefined()
  })
})
