import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import { createChorusClient, type ChorusClientOptions, type SoumettreRequest, type TechnicalAccount } from '../../src/chorus'
import { createSandbox, SANDBOX_CREDENTIALS, type SandboxOptions } from '../../src/sandbox'

/** The sandbox on a real loopback port (never a mocked fetch), plus its control API. */
export async function startSandbox(options: SandboxOptions = {}) {
  const sandbox = createSandbox(options)
  const server = serve({ fetch: sandbox.app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((r) => server.once('listening', () => r()))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}/_sandbox/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`)
    return res.json()
  }
  return {
    sandbox,
    base,
    faults: (b: Record<string, unknown>) => post('faults', b),
    clock: (b: Record<string, unknown>) => post('clock', b),
    reset: () => post('reset', {}),
    setStatus: (id: number, status: string, comment?: string) => post(`invoices/${id}/status`, { status, comment }),
    calls: async (): Promise<Record<string, number>> => (await (await fetch(`${base}/_sandbox/calls`)).json()) as Record<string, number>,
    close: () =>
      new Promise<void>((r) => {
        sandbox.reset()
        server.close(() => r())
        ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
      }),
  }
}
export type RunningSandbox = Awaited<ReturnType<typeof startSandbox>>

export const ACCOUNT: TechnicalAccount = {
  login: SANDBOX_CREDENTIALS.technicalLogin,
  password: SANDBOX_CREDENTIALS.technicalPassword,
  label: 'Fournisseur Démo',
}

/** A client tuned for fast tests: short timeouts and backoff, no rate limiting in the way. */
export function sandboxClient(base: string, overrides: Partial<ChorusClientOptions> = {}) {
  return createChorusClient({
    environment: 'sandbox',
    oauthUrl: `${base}/api/oauth/token`,
    apiUrl: `${base}/cpro`,
    clientId: SANDBOX_CREDENTIALS.clientId,
    clientSecret: SANDBOX_CREDENTIALS.clientSecret,
    // The sandbox's OCR thread starts on the first PDF (1.5 s under tsx on this machine, more when the
    // suite runs beside it); tests of timeouts set their own.
    timeoutMs: 10_000,
    maxConcurrency: 10,
    rateLimitPerSecond: 1000,
    retry: { baseDelayMs: 5, maxAttempts: 3 },
    circuitBreaker: { failureThreshold: 1000, cooldownMs: 200 },
    ...overrides,
  })
}

/** A one-page PDF whose text lines are the given strings. */
export async function textPdf(lines: readonly string[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  const page = doc.addPage([595, 842])
  const font = await doc.embedFont(StandardFonts.Helvetica)
  lines.forEach((l, i) => page.drawText(l, { x: 40, y: 800 - i * 18, size: 11, font }))
  return doc.save()
}

let seq = 0
/** A consistent SAISIE_API invoice: 100.00 + 20.00 VAT = 120.00, one line. */
export function saisie(codeDestinataire: string, over: Partial<SoumettreRequest> & { numero?: string } = {}): SoumettreRequest {
  const { numero, ...rest } = over
  return {
    modeDepot: 'SAISIE_API',
    numeroFactureSaisi: numero ?? `T-${process.pid}-${++seq}`,
    dateFacture: '2026-11-20',
    destinataire: { codeDestinataire },
    fournisseur: { idFournisseur: SANDBOX_CREDENTIALS.supplierIdStructureCPP },
    cadreDeFacturation: { codeCadreFacturation: 'A1_FACTURE_FOURNISSEUR' },
    references: { deviseFacture: 'EUR', typeFacture: 'FACTURE', typeTva: 'TVA_SUR_DEBIT', modePaiement: 'VIREMENT' },
    lignePoste: [{ lignePosteNumero: 1, lignePosteDenomination: 'Prestation', lignePosteQuantite: 2, lignePosteMontantUnitaireHT: '50.00', lignePosteTauxTva: 'TVA20' }],
    ligneTva: [{ ligneTvaMontantBaseHtParTaux: '100.00', ligneTvaMontantTvaParTaux: '20.00', ligneTvaTaux: 'TVA20' }],
    montantTotal: { montantHtTotal: '100.00', montantTVA: '20.00', montantTtcTotal: '120.00', montantAPayer: '120.00' },
    ...rest,
  }
}

/** Runs `fn` and returns the error it throws (fails the test if it does not throw). */
export async function failure<E = unknown>(fn: () => Promise<unknown>): Promise<E> {
  try {
    await fn()
  } catch (e) {
    return e as E
  }
  throw new Error('expected a failure, got a success')
}
