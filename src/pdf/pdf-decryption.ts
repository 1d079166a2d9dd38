import { createCipheriv, createDecipheriv, createHash } from 'node:crypto'
import { PDFArray, PDFBool, PDFDict, PDFHexString, PDFName, PDFNumber, PDFString, type PDFObject } from 'pdf-lib'

/**
 * Stream decryption for the PDF standard security handler with an empty user password (documents
 * that open without a password but are "protected" by an owner password). pdf.js reads them, so the
 * decode budget must see their streams decrypted too, or encryption would hide a bomb. The rules
 * are ISO 32000-2 §7.6 (algorithms 1, 2, 2.A, 2.B), as pdf.js applies them (src/core/crypto.js):
 * every stream with the /StmF crypt filter, cross-reference streams excepted. A document that needs
 * a user password decodes to nothing here, and pdf.js refuses to open it.
 */
export interface StreamDecryptor {
  decrypt(num: number, gen: number, data: Uint8Array): Uint8Array
}

const PASSWORD_PADDING = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex')

type Cipher = 'rc4' | 'aes128' | 'aes256' | 'identity'

export function standardDecryptor(encrypt: PDFDict, id: PDFArray | null, resolve: (o: PDFObject | undefined) => PDFObject | undefined): StreamDecryptor {
  const get = (d: PDFDict, k: string) => resolve(d.get(PDFName.of(k)))
  const num = (k: string, dflt: number) => {
    const v = get(encrypt, k)
    return v instanceof PDFNumber ? v.asNumber() : dflt
  }
  const str = (k: string) => bytesOf(get(encrypt, k))
  const nothing: StreamDecryptor = { decrypt: () => new Uint8Array(0) }
  if (nameOf(get(encrypt, 'Filter')) !== 'Standard') return nothing
  const v = num('V', 0)
  const r = num('R', 2)
  let cipher: Cipher = v >= 4 ? 'identity' : 'rc4'
  if (v >= 4) {
    const stmf = nameOf(get(encrypt, 'StmF')) ?? 'Identity'
    const cf = get(encrypt, 'CF')
    const filter = cf instanceof PDFDict && stmf !== 'Identity' ? resolve(cf.get(PDFName.of(stmf))) : undefined
    const cfm = filter instanceof PDFDict ? nameOf(get(filter, 'CFM')) : null
    cipher = cfm === 'V2' ? 'rc4' : cfm === 'AESV2' ? 'aes128' : cfm === 'AESV3' ? 'aes256' : 'identity'
  }
  if (cipher === 'identity') return { decrypt: (_n, _g, data) => data }

  let fileKey: Buffer | null
  if (r >= 5) {
    const u = str('U')
    const ue = str('UE')
    fileKey = u && ue && u.length >= 48 && ue.length >= 32 ? aes256FileKey(r, u, ue) : null
  } else {
    const o = str('O')
    const u = str('U')
    const first = id ? bytesOf(resolve(id.get(0))) : null
    const encryptMetadata = get(encrypt, 'EncryptMetadata')
    const length = v === 1 ? 40 : num('Length', 40)
    fileKey = o && u ? legacyFileKey(r, length, o, num('P', 0), first ?? Buffer.alloc(0), encryptMetadata instanceof PDFBool ? encryptMetadata.asBoolean() : true, u) : null
  }
  if (!fileKey) return nothing // a user password is needed: pdf.js will not open it either
  const key = fileKey

  return {
    decrypt(objNum, gen, data) {
      if (cipher === 'aes256') return aesDecrypt('aes-256-cbc', key, data)
      const salt = cipher === 'aes128' ? Buffer.from('sAlT', 'latin1') : Buffer.alloc(0)
      const ext = Buffer.from([objNum & 0xff, (objNum >> 8) & 0xff, (objNum >> 16) & 0xff, gen & 0xff, (gen >> 8) & 0xff])
      const objKey = createHash('md5').update(key).update(ext).update(salt).digest().subarray(0, Math.min(key.length + 5, 16))
      return cipher === 'aes128' ? aesDecrypt('aes-128-cbc', objKey, data) : rc4(objKey, data)
    },
  }
}

/** Algorithm 2 (file key from the empty user password), checked against /U with algorithm 4 or 5. */
function legacyFileKey(r: number, lengthBits: number, o: Buffer, p: number, id0: Buffer, encryptMetadata: boolean, u: Buffer): Buffer | null {
  const n = r === 2 ? 5 : Math.max(5, Math.min(16, Math.floor(lengthBits / 8)))
  const pBytes = Buffer.alloc(4)
  pBytes.writeInt32LE(p | 0)
  const h = createHash('md5').update(PASSWORD_PADDING).update(o.subarray(0, 32)).update(pBytes).update(id0)
  if (r >= 4 && !encryptMetadata) h.update(Buffer.from([0xff, 0xff, 0xff, 0xff]))
  let key = h.digest().subarray(0, n)
  if (r >= 3) for (let i = 0; i < 50; i++) key = createHash('md5').update(key).digest().subarray(0, n)
  if (r === 2) return Buffer.from(rc4(key, PASSWORD_PADDING)).equals(u.subarray(0, 32)) ? Buffer.from(key) : null
  let check = Buffer.from(rc4(key, createHash('md5').update(PASSWORD_PADDING).update(id0).digest()))
  for (let i = 1; i <= 19; i++) check = Buffer.from(rc4(Buffer.from(key.map((b) => b ^ i)), check))
  return check.subarray(0, 16).equals(u.subarray(0, 16)) ? Buffer.from(key) : null
}

/** Algorithm 2.A with the empty password: /U's validation salt proves it, /UE holds the file key. */
function aes256FileKey(r: number, u: Buffer, ue: Buffer): Buffer | null {
  const hash = (salt: Buffer) => (r === 5 ? createHash('sha256').update(salt).digest() : hash2B(salt))
  if (!hash(u.subarray(32, 40)).equals(u.subarray(0, 32))) return null
  const d = createDecipheriv('aes-256-cbc', hash(u.subarray(40, 48)), Buffer.alloc(16))
  d.setAutoPadding(false)
  return Buffer.concat([d.update(ue.subarray(0, 32)), d.final()])
}

/** Algorithm 2.B (revision 6), for the empty password and no user key. */
function hash2B(salt: Buffer): Buffer {
  let k = createHash('sha256').update(salt).digest()
  let e: Buffer = Buffer.alloc(0)
  for (let i = 0; i < 64 || e[e.length - 1]! > i - 32; i++) {
    const k1 = Buffer.concat(Array.from({ length: 64 }, () => k))
    const c = createCipheriv('aes-128-cbc', k.subarray(0, 16), k.subarray(16, 32))
    c.setAutoPadding(false)
    e = Buffer.concat([c.update(k1), c.final()])
    let sum = 0
    for (let j = 0; j < 16; j++) sum += e[j]!
    k = createHash(['sha256', 'sha384', 'sha512'][sum % 3]!).update(e).digest()
  }
  return k.subarray(0, 32)
}

function aesDecrypt(algorithm: 'aes-128-cbc' | 'aes-256-cbc', key: Buffer, data: Uint8Array): Uint8Array {
  if (data.length < 32) return new Uint8Array(0)
  const body = data.subarray(16, 16 + Math.floor((data.length - 16) / 16) * 16)
  // A key cut short by an odd /Length is zero-filled, as pdf.js's AES reads missing key bytes as 0.
  const size = algorithm === 'aes-128-cbc' ? 16 : 32
  const fullKey = key.length === size ? key : Buffer.concat([key, Buffer.alloc(size)]).subarray(0, size)
  const d = createDecipheriv(algorithm, fullKey, data.subarray(0, 16))
  d.setAutoPadding(false)
  const out = Buffer.concat([d.update(body), d.final()])
  const pad = out[out.length - 1]!
  return pad >= 1 && pad <= 16 ? out.subarray(0, out.length - pad) : out
}

function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  const s = new Uint8Array(256)
  for (let i = 0; i < 256; i++) s[i] = i
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff
    ;[s[i], s[j]] = [s[j]!, s[i]!]
  }
  const out = new Uint8Array(data.length)
  for (let k = 0, i = 0, j = 0; k < data.length; k++) {
    i = (i + 1) & 0xff
    j = (j + s[i]!) & 0xff
    ;[s[i], s[j]] = [s[j]!, s[i]!]
    out[k] = data[k]! ^ s[(s[i]! + s[j]!) & 0xff]!
  }
  return out
}

function bytesOf(o: PDFObject | undefined): Buffer | null {
  if (o instanceof PDFString) return Buffer.from(o.asBytes())
  if (o instanceof PDFHexString) return Buffer.from(o.asBytes())
  return null
}

function nameOf(o: PDFObject | undefined): string | null {
  return o instanceof PDFName ? o.decodeText() : null
}
