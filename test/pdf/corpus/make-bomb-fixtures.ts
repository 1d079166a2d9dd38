/**
 * Regenerates the encrypted decompression bombs in test/fixtures/pdf (needs qpdf):
 *   npx tsx test/pdf/corpus/make-bomb-fixtures.ts
 * The content-chain bomb of bombs.ts (ASCIIHex + Flate + Flate, 1 GiB), encrypted by qpdf with an
 * empty user password (it opens without one, so pdf.js reads it): RC4 40-bit, AES-128, AES-256.
 * Streams are kept as they are (--stream-data=preserve): qpdf only encrypts them.
 * Also `facturx-af-only-encrypted-aes128.pdf`: the corpus's Factur-X whose XML is registered only in
 * the catalog's /AF (pdf.js's getAttachments does not see it), encrypted the same way, to prove the
 * scan reads attachments through the encryption.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { contentChainBomb } from './bombs'
import { xmlEntries } from './build-corpus'

const out = join(import.meta.dirname, '../../fixtures/pdf')
const src = join(mkdtempSync(join(tmpdir(), 'pdf-bombs-')), 'bomb.pdf')
writeFileSync(src, await contentChainBomb())
const qpdf = (name: string, ...enc: string[]) =>
  execFileSync('qpdf', ['--allow-weak-crypto', '--stream-data=preserve', '--encrypt', '', 'owner-secret', ...enc, '--', src, join(out, name)])
qpdf('bomb-content-chain-rc4.pdf', '40')
qpdf('bomb-content-chain-aes128.pdf', '128', '--use-aes=y')
qpdf('bomb-content-chain-aes256.pdf', '256')
const afOnly = (await xmlEntries()).find((e) => e.id === 'facturx-extended-af-only')!
const afSrc = join(mkdtempSync(join(tmpdir(), 'pdf-af-')), 'af.pdf')
writeFileSync(afSrc, afOnly.bytes)
execFileSync('qpdf', ['--stream-data=preserve', '--encrypt', '', 'owner-secret', '128', '--use-aes=y', '--', afSrc, join(out, 'facturx-af-only-encrypted-aes128.pdf')])
console.log('bombs written to', out)
