import { fromCents } from '../domain/amount'
import { seedEngagements, SEED_STRUCTURES, type SeedEngagement, type SeedStructure } from './seed-directory'
import {
  currentStatus,
  DEFAULT_OUTCOME_RULES,
  pickBranch,
  planAfter,
  planFor,
  type Lifecycle,
  type OutcomeRule,
  type StatusEntry,
} from './invoice-lifecycle'
import type { FlowInvoice } from './flow-invoice-reader'
import type { OcrFields } from './ocr-fields'
import { SANDBOX_CREDENTIALS, SANDBOX_SUPPLIER_NAME, SANDBOX_SUPPLIER_SIRET } from './test-identity'

export interface SandboxTechnicalAccount {
  readonly login: string
  readonly password: string
  /** The supplier structures this account may invoice for (idStructureCPP). */
  readonly structures: readonly number[]
  /** `YYYY-MM-DD`; past it, the gateway refuses the account as expired (the control API can move it). */
  passwordExpiresOn?: string
}

export interface SandboxSupplier {
  readonly idStructureCPP: number
  readonly siret: string
  readonly name: string
}

export interface Faults {
  /** Share of API calls answered 503 (0..1). */
  unavailableRate: number
  /** Added before every API answer. */
  latencyMs: number
  /** Share of API calls that never answer (held until the client gives up). */
  timeoutRate: number
  /** Lifetime of tokens, judged at each call, so lowering it also ages out tokens already issued. */
  tokenTtlSeconds: number
  /** Operation ("factures/v1/soumettre", or just "soumettre") → how many next calls answer 503. */
  failNext: Record<string, number>
  /** How many next flow deposits end IN_INCIDENTE (not processed; the whole flow must be sent again). */
  incidentFlowsNext: number
}

export const DEFAULT_FAULTS: Faults = { unavailableRate: 0, latencyMs: 0, timeoutRate: 0, tokenTtlSeconds: 3600, failNext: {}, incidentFlowsNext: 0 }

export interface SandboxInvoice extends Lifecycle {
  readonly id: number
  readonly supplierId: number
  readonly numeroFacture: string
  readonly year: string
  readonly dateFacture: string
  readonly dateDepot: number
  readonly modeDepot: string
  readonly typeFacture: string
  readonly typeTva: string | undefined
  readonly deviseFacture: string
  codeDestinataire: string
  codeServiceExecutant: string | undefined
  numeroBonCommande: string | undefined
  readonly montantHtTotal: bigint
  readonly montantTVA: bigint
  readonly montantTtcTotal: bigint
  readonly montantAPayer: bigint
  readonly numeroFluxDepot: string | undefined
  readonly commentaire: string | undefined
  readonly pieceJointeIds: number[]
  readonly cadreDeFacturation: string
}

export interface SandboxAttachment {
  readonly id: number
  readonly supplierIds: readonly number[]
  readonly name: string
  readonly size: number
  readonly ocr: OcrFields | undefined
}

export interface SandboxFlow {
  readonly numeroFluxDepot: string
  readonly supplierIds: readonly number[]
  readonly nomFichier: string
  readonly syntaxeFlux: string
  readonly dateDepot: number
  /** Timestamps of IN_EN_COURS_TRAITEMENT_CPP and of the final state. */
  readonly processingAt: number
  readonly finalAt: number
  /** Decided at deposit: the invoice to create, or the errors to report. */
  readonly invoice: FlowInvoice | undefined
  /** Filled at deposit; a duplicate found when the flow is integrated adds its error then. */
  readonly errorsDP: { numeroDP: string; libelleErreurDP: string; identifiantFournisseur: string; identifiantDestinataire: string }[]
  readonly errorsTechnique: readonly { codeErreur: string; libelleErreur: string; natureErreur: string }[]
  /** Ends IN_INCIDENTE: Chorus Pro did not process it, no invoice, no error list (reference "Updates checked 2026-11"). */
  readonly incident?: boolean
  materialised: boolean
}

export interface SandboxClock {
  /** Time between two automatic status steps (default 10 s: a demo invoice is paid within a minute). */
  stepMs: number
  /** When true, statuses only change through actions and the control API. */
  paused: boolean
  outcomeRules: readonly OutcomeRule[]
}

export interface SandboxStoreOptions {
  readonly now?: () => number
  readonly clock?: Partial<SandboxClock>
  readonly structures?: readonly SeedStructure[]
  readonly technicalAccounts?: readonly SandboxTechnicalAccount[]
  readonly suppliers?: readonly SandboxSupplier[]
  /** Attachment records kept (metadata only, never the bytes); the oldest are forgotten beyond it. */
  readonly maxAttachments?: number
  /** Seed of the pseudo-random generator behind fault rates, so a run can be replayed. */
  readonly randomSeed?: number
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * The sandbox's whole state, in memory and bounded: maps by id plus the indexes the operations need
 * (invoice number per supplier and year, invoices per supplier in deposit order), so 10,000 invoices stay
 * cheap. Statuses and flows advance lazily from timestamps.
 */
export function createSandboxStore(options: SandboxStoreOptions = {}) {
  const now = options.now ?? Date.now
  const structures = options.structures ?? SEED_STRUCTURES
  const defaultSupplier: SandboxSupplier = { idStructureCPP: SANDBOX_CREDENTIALS.supplierIdStructureCPP, siret: SANDBOX_SUPPLIER_SIRET, name: SANDBOX_SUPPLIER_NAME }
  const suppliers = [defaultSupplier, ...(options.suppliers ?? [])]
  // A technical password lasts 424 days (reference "Updates checked 2026-11"): the sandbox's own one was
  // just generated, so consulterStructure gives a date as the real platform does.
  const accounts: SandboxTechnicalAccount[] = [
    { login: SANDBOX_CREDENTIALS.technicalLogin, password: SANDBOX_CREDENTIALS.technicalPassword, structures: [defaultSupplier.idStructureCPP], passwordExpiresOn: new Date(now() + 424 * 86_400_000).toISOString().slice(0, 10) },
    ...(options.technicalAccounts ?? []).map((a) => ({ ...a })),
  ]
  const initialExpiry = accounts.map((a) => a.passwordExpiresOn)
  const maxAttachments = options.maxAttachments ?? 50_000
  const engagements: SeedEngagement[] = suppliers.flatMap((s) => seedEngagements(s.idStructureCPP))
  const bySiret = new Map(structures.map((s) => [s.siret, s]))
  const byId = new Map(structures.map((s) => [s.idStructureCPP, s]))
  const baseClock: SandboxClock = { stepMs: 10_000, paused: false, outcomeRules: DEFAULT_OUTCOME_RULES, ...options.clock }

  const state = {
    faults: structuredClone(DEFAULT_FAULTS),
    clock: { ...baseClock },
    random: mulberry32(options.randomSeed ?? 20261121),
    calls: {} as Record<string, number>,
    /** The last request bodies per operation, as received (raw text), for tests that check what went on the wire. */
    requests: {} as Record<string, string[]>,
    tokens: new Map<string, number>(),
    invoices: new Map<number, SandboxInvoice>(),
    invoicesBySupplier: new Map<number, SandboxInvoice[]>(),
    numbers: new Map<string, SandboxInvoice>(),
    attachments: new Map<number, SandboxAttachment>(),
    flows: new Map<string, SandboxFlow>(),
    pendingFlows: new Set<SandboxFlow>(),
    nextInvoiceId: 1_000_001,
    nextAttachmentId: 5_000_001,
    nextFlowSeq: 1,
    nextHistoId: 1,
    /** Pending "timeout" requests, released on reset so tests never leave a handler hanging. */
    hangs: new Set<() => void>(),
  }

  function reset() {
    accounts.forEach((a, i) => (a.passwordExpiresOn = initialExpiry[i]))
    for (const release of state.hangs) release()
    state.hangs.clear()
    state.faults = structuredClone(DEFAULT_FAULTS)
    state.clock = { ...baseClock }
    state.random = mulberry32(options.randomSeed ?? 20261121)
    state.calls = {}
    state.requests = {}
    state.tokens.clear()
    state.invoices.clear()
    state.invoicesBySupplier.clear()
    state.numbers.clear()
    state.attachments.clear()
    state.flows.clear()
    state.pendingFlows.clear()
    state.nextInvoiceId = 1_000_001
    state.nextAttachmentId = 5_000_001
    state.nextFlowSeq = 1
  }

  function numberKey(supplierId: number, year: string, numero: string) {
    return `${supplierId}|${year}|${numero}`
  }

  function advance(inv: SandboxInvoice): SandboxInvoice {
    if (state.clock.paused) return inv
    const t = now()
    while (inv.plan.length > 0 && inv.nextAt <= t) {
      const step = inv.plan.shift()!
      inv.history.push({ id: state.nextHistoId++, code: step.code, at: inv.nextAt, comment: step.comment })
      inv.nextAt += state.clock.stepMs
    }
    return inv
  }

  function setStatus(inv: SandboxInvoice, code: string, comment: string | undefined, plan: ReturnType<typeof planAfter>) {
    const t = now()
    inv.history.push({ id: state.nextHistoId++, code, at: t, comment })
    inv.plan = plan
    inv.nextAt = t + state.clock.stepMs
  }

  function addAttachment(supplierIds: readonly number[], name: string, size: number, ocr: OcrFields | undefined): SandboxAttachment {
    const a: SandboxAttachment = { id: state.nextAttachmentId++, supplierIds, name, size, ocr }
    state.attachments.set(a.id, a)
    if (state.attachments.size > maxAttachments) state.attachments.delete(state.attachments.keys().next().value!)
    return a
  }

  type NewInvoice = Omit<SandboxInvoice, keyof Lifecycle | 'id' | 'year' | 'dateDepot'>

  function createInvoice(data: NewInvoice): SandboxInvoice {
    const t = now()
    const branch = pickBranch(state.clock.outcomeRules, data)
    const inv: SandboxInvoice = {
      ...data,
      id: state.nextInvoiceId++,
      year: data.dateFacture.slice(0, 4),
      dateDepot: t,
      history: [{ id: state.nextHistoId++, code: 'DEPOSEE', at: t, comment: undefined }],
      plan: planFor(branch),
      nextAt: t + state.clock.stepMs,
    }
    state.invoices.set(inv.id, inv)
    const list = state.invoicesBySupplier.get(inv.supplierId) ?? []
    list.push(inv)
    state.invoicesBySupplier.set(inv.supplierId, list)
    state.numbers.set(numberKey(inv.supplierId, inv.year, inv.numeroFacture), inv)
    return inv
  }

  function isDuplicate(supplierId: number, dateFacture: string, numero: string): boolean {
    return state.numbers.has(numberKey(supplierId, dateFacture.slice(0, 4), numero))
  }

  function status(inv: SandboxInvoice): StatusEntry {
    return currentStatus(advance(inv))
  }

  return {
    state,
    now,
    structures,
    suppliers,
    accounts,
    engagements,
    structureBySiret: (siret: string) => bySiret.get(siret),
    structureById: (id: number) => byId.get(id),
    supplierById: (id: number) => suppliers.find((s) => s.idStructureCPP === id),
    reset,
    advance,
    status,
    setStatus,
    createInvoice,
    isDuplicate,
    addAttachment,
    /** Invoices of these suppliers, newest deposit first, statuses brought up to date. */
    invoicesOf(supplierIds: readonly number[]): SandboxInvoice[] {
      const out: SandboxInvoice[] = []
      for (const id of supplierIds) for (const inv of state.invoicesBySupplier.get(id) ?? []) out.push(advance(inv))
      return out.sort((a, b) => b.id - a.id)
    },
    count(key: string) {
      state.calls[key] = (state.calls[key] ?? 0) + 1
    },
    /** Moves a technical account's password expiry (`undefined`: none given). False when the login is unknown. */
    setPasswordExpiry(login: string, expiresOn: string | undefined): boolean {
      const a = accounts.find((x) => x.login === login)
      if (!a) return false
      a.passwordExpiresOn = expiresOn
      return true
    },
    /** Keeps the raw body of a call (the last 20 per operation; a body over 256 KB, a file, only as its size). */
    recordRequest(operation: string, raw: string) {
      const list = (state.requests[operation] ??= [])
      list.push(raw.length > 256 * 1024 ? JSON.stringify({ omitted: 'body over 256 KB', length: raw.length }) : raw)
      if (list.length > 20) list.shift()
    },
    random: () => state.random(),
    nextFlowNumber(): string {
      // Real numbers look like CPP0011110000000000001557 (reference §2.1).
      return `CPP001111${String(state.nextFlowSeq++).padStart(16, '0')}`
    },
    amount: fromCents,
  }
}

export type SandboxStore = ReturnType<typeof createSandboxStore>
