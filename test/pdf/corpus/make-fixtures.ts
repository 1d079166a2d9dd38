/**
 * Regenerates the committed fixtures in test/fixtures/pdf (needs poppler-utils and qpdf):
 *   npx tsx test/pdf/corpus/make-fixtures.ts
 * - cairo-*.pdf: corpus invoices re-written by pdftocairo (poppler + cairo), a third generator with
 *   embedded, subsetted TrueType/CFF fonts and ToUnicode maps; expected fields in expected.json.
 * - encrypted-*.pdf: qpdf encryption, one with a user password (AES-256), one owner-only (AES-128).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { plainEntry, plainVariants } from './build-corpus'

const out = join(import.meta.dirname, '../../fixtures/pdf')
const tmp = mkdtempSync(join(tmpdir(), 'pdf-fixtures-'))
const variants = plainVariants(36)
// One per layout family that matters: classic FR, EN, two columns, footer legal, grid, multi-page.
const picks = [0, 1, 2, 4, 5, 9]
const expected: Record<string, unknown> = {}
for (const i of picks) {
  const v = variants[i]!
  const e = await plainEntry(v)
  const src = join(tmp, `${e.id}.pdf`)
  writeFileSync(src, e.bytes)
  const name = `cairo-${e.id}.pdf`
  execFileSync('pdftocairo', ['-pdf', src, join(out, name)])
  expected[name] = e.expectedText
}
writeFileSync(join(out, 'expected.json'), JSON.stringify(expected, null, 2) + '\n')
const plain = join(tmp, 'plain.pdf')
writeFileSync(plain, (await plainEntry(variants[0]!)).bytes)
execFileSync('qpdf', ['--encrypt', 'secret', 'owner-secret', '256', '--', plain, join(out, 'encrypted-user-password.pdf')])
execFileSync('qpdf', ['--encrypt', '', 'owner-secret', '128', '--use-aes=y', '--', plain, join(out, 'encrypted-owner-only.pdf')])
console.log('fixtures written to', out)
