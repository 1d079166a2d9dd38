export type ChorusEnvironment = 'sandbox' | 'qualification' | 'production'

/**
 * The real PISTE endpoints (../shared/reference/chorus-pro-api.md §1). Qualification data is served by the
 * `sandbox-*` PISTE hosts. The built-in simulator has no fixed URL: it lives wherever it is mounted.
 */
export const CHORUS_ENDPOINTS: Readonly<Record<Exclude<ChorusEnvironment, 'sandbox'>, { readonly oauthUrl: string; readonly apiUrl: string }>> = {
  qualification: {
    oauthUrl: 'https://sandbox-oauth.piste.gouv.fr/api/oauth/token',
    apiUrl: 'https://sandbox-api.piste.gouv.fr/cpro',
  },
  production: {
    oauthUrl: 'https://oauth.piste.gouv.fr/api/oauth/token',
    apiUrl: 'https://api.piste.gouv.fr/cpro',
  },
}
