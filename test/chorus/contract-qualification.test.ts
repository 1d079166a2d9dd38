import { describe, it } from 'vitest'
import { createChorusClient } from '../../src/chorus'
import { defineContractSuite } from './contract-suite'

/**
 * The same contract against the real PISTE qualification platform. Needs CHORUS_QUALIF_CLIENT_ID,
 * CHORUS_QUALIF_CLIENT_SECRET, CHORUS_QUALIF_TECH_LOGIN, CHORUS_QUALIF_TECH_PASSWORD; optional
 * CHORUS_QUALIF_RECIPIENT_SIRET (a public structure of your "matelas de données"), CHORUS_QUALIF_OAUTH_URL
 * and CHORUS_QUALIF_API_URL (default: the real sandbox-*.piste.gouv.fr hosts).
 */
const env = process.env
const missing = ['CHORUS_QUALIF_CLIENT_ID', 'CHORUS_QUALIF_CLIENT_SECRET', 'CHORUS_QUALIF_TECH_LOGIN', 'CHORUS_QUALIF_TECH_PASSWORD'].filter((k) => !env[k])

if (missing.length > 0) {
  const reason = `skipped: Chorus Pro qualification contract needs ${missing.join(', ')}`
  console.info(reason)
  describe.skip(`Chorus Pro client contract: qualification (${reason})`, () => {
    it('needs credentials', () => {})
  })
} else {
  const client = createChorusClient({
    environment: 'qualification',
    clientId: env.CHORUS_QUALIF_CLIENT_ID!,
    clientSecret: env.CHORUS_QUALIF_CLIENT_SECRET!,
    ...(env.CHORUS_QUALIF_OAUTH_URL ? { oauthUrl: env.CHORUS_QUALIF_OAUTH_URL } : {}),
    ...(env.CHORUS_QUALIF_API_URL ? { apiUrl: env.CHORUS_QUALIF_API_URL } : {}),
    timeoutMs: 20_000,
  })
  defineContractSuite('real qualification platform', () => ({
    client,
    account: { login: env.CHORUS_QUALIF_TECH_LOGIN!, password: env.CHORUS_QUALIF_TECH_PASSWORD!, label: 'qualification' },
    ...(env.CHORUS_QUALIF_RECIPIENT_SIRET ? { recipientSiret: env.CHORUS_QUALIF_RECIPIENT_SIRET } : {}),
  }))
}
