/**
 * The sandbox's published test identity (DESIGN.md "Sandbox"). Hosts' test suites and our demo supplier
 * account rely on these exact values: never change them. They open nothing outside the simulator.
 */
export const SANDBOX_CLIENT_ID = 'chorus-sandbox-client'
export const SANDBOX_CLIENT_SECRET = 'chorus-sandbox-secret-not-for-production'
/** Chorus technical logins look like TECH_1_<id>@cpro.fr (reference §1, PHPLIB samples). */
export const SANDBOX_TECHNICAL_LOGIN = 'TECH_1_26000001@cpro.fr'
export const SANDBOX_TECHNICAL_PASSWORD = 'Sandbox-Technique-2026!'
/** A valid SIRET (Luhn) of the fictitious test supplier. */
export const SANDBOX_SUPPLIER_SIRET = '98765432100015'
/** The supplier's Chorus structure id: `fournisseur.idFournisseur` in soumettre. */
export const SANDBOX_SUPPLIER_ID_STRUCTURE_CPP = 26000001
export const SANDBOX_SUPPLIER_NAME = 'Fournisseur Démo SAS'

export interface SandboxCredentials {
  readonly clientId: string
  readonly clientSecret: string
  readonly technicalLogin: string
  readonly technicalPassword: string
  readonly supplierSiret: string
  readonly supplierIdStructureCPP: number
}

export const SANDBOX_CREDENTIALS: SandboxCredentials = {
  clientId: SANDBOX_CLIENT_ID,
  clientSecret: SANDBOX_CLIENT_SECRET,
  technicalLogin: SANDBOX_TECHNICAL_LOGIN,
  technicalPassword: SANDBOX_TECHNICAL_PASSWORD,
  supplierSiret: SANDBOX_SUPPLIER_SIRET,
  supplierIdStructureCPP: SANDBOX_SUPPLIER_ID_STRUCTURE_CPP,
}
