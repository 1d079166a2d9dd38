import { describe, expect, it } from 'vitest'
import { CsvSyntaxError, decodeCsvBytes, detectDelimiter, parseCsv } from '../../src/domain/csv-read'
import { cleanCell } from '../../src/workflows/recipients/import-recipient-mappings'

const cells = (text: string) => parseCsv(text).rows.map((r) => r.cells)

describe('CSV reading', () => {
  it('reads a French Excel file: UTF-8 with BOM, ";" separated, CRLF', () => {
    const bytes = new TextEncoder().encode('\ufeffLibellé;SIRET destinataire;Code service\r\nMairie de Saint-Étienne;21420218600012;SERV_TECH\r\n')
    const { text, encoding } = decodeCsvBytes(bytes)
    expect(encoding).toBe('utf-8')
    const doc = parseCsv(text)
    expect(doc.delimiter).toBe(';')
    expect(doc.rows.map((r) => r.cells)).toEqual([
      ['Libellé', 'SIRET destinataire', 'Code service'],
      ['Mairie de Saint-Étienne', '21420218600012', 'SERV_TECH'],
    ])
    expect(doc.rows[0]!.cells[0]).toBe('Libellé') // the BOM is not part of the first header
  })

  it('reads French Excel’s Windows-1252 "CSV (séparateur: point-virgule)"', () => {
    const bytes = Uint8Array.from([0x4c, 0x69, 0x62, 0x65, 0x6c, 0x6c, 0xe9, 0x3b, 0x53, 0x49, 0x52, 0x45, 0x54, 0x0d, 0x0a, 0x52, 0xe9, 0x67, 0x69, 0x6f, 0x6e, 0x20, 0x8c, 0x3b, 0x31]) // "Libellé;SIRET\r\nRégion Œ;1"
    const { text, encoding } = decodeCsvBytes(bytes)
    expect(encoding).toBe('windows-1252')
    expect(cells(text)).toEqual([['Libellé', 'SIRET'], ['Région Œ', '1']])
  })

  it('reads a "," separated file, LF line ends', () => {
    const doc = parseCsv('label,recipientSiret\nMairie,123\n')
    expect(doc.delimiter).toBe(',')
    expect(doc.rows.map((r) => r.cells)).toEqual([['label', 'recipientSiret'], ['Mairie', '123']])
  })

  it('picks the delimiter from the header, ignoring those inside quotes', () => {
    expect(detectDelimiter('"a,b,c";d;e\n1,2,3')).toBe(';')
    expect(detectDelimiter('"a;b;c",d,e\n')).toBe(',')
    expect(detectDelimiter('a\tb\tc\n')).toBe('\t')
  })

  it('reads quoted fields: separators, doubled quotes and line breaks inside, with the line each row starts on', () => {
    const doc = parseCsv('Libellé;Code\r\n"Mairie; annexe ""Nord""";A\r\n"Centre\r\nhospitalier";B\r\nLycée;C\r\n')
    expect(doc.rows.map((r) => r.cells)).toEqual([
      ['Libellé', 'Code'],
      ['Mairie; annexe "Nord"', 'A'],
      ['Centre\r\nhospitalier', 'B'],
      ['Lycée', 'C'],
    ])
    expect(doc.rows.map((r) => r.line)).toEqual([1, 2, 3, 5])
  })

  it('keeps empty cells and a last line without a line break', () => {
    expect(cells('a;b;c\n1;;3')).toEqual([['a', 'b', 'c'], ['1', '', '3']])
    expect(cells('a;b\n;\n')).toEqual([['a', 'b'], ['', '']])
  })

  it('names the line of an unterminated quote and of text after a closing quote', () => {
    const open = (() => { try { parseCsv('a;b\n1;2\n"never closed;3\n4;5\n'); } catch (e) { return e } })()
    expect(open).toBeInstanceOf(CsvSyntaxError)
    expect((open as CsvSyntaxError).line).toBe(3)
    const after = (() => { try { parseCsv('a;b\n"x"y;2\n'); } catch (e) { return e } })()
    expect(after).toBeInstanceOf(CsvSyntaxError)
    expect((after as CsvSyntaxError).line).toBe(2)
  })

  it('cleans cells: trims, unwraps Excel’s ="…" text and removes the formula-protection quote', () => {
    expect(cleanCell('  Mairie ')).toBe('Mairie')
    expect(cleanCell('="01234567800019"')).toBe('01234567800019')
    expect(cleanCell("'=SUM(A1)")).toBe('=SUM(A1)')
    expect(cleanCell("'Dupont")).toBe("'Dupont")
    expect(cleanCell(undefined)).toBe('')
  })
})
