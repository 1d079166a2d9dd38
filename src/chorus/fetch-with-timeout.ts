import { CHORUS_ERRORS } from '../domain/chorus-error-catalogue'
import { ChorusError } from './chorus-error'

/**
 * fetch with a deadline covering the headers; callers read the body under the same signal. Network
 * failures become `unavailable` and an expired deadline `timeout`, both as ChorusError, never a raw
 * TypeError whose message could quote the URL's query or a header.
 */
export async function fetchWithTimeout(operation: string, url: string, init: RequestInit, timeoutMs: number, write = false): Promise<Response> {
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    const res = await fetch(url, { ...init, signal })
    // Read the body now, under the same deadline, so a server that stalls mid-body also times out.
    const body = await res.arrayBuffer()
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers })
  } catch (err) {
    if (signal.aborted) {
      throw new ChorusError({ operation, kind: 'timeout', catalogue: CHORUS_ERRORS.chorus_timeout, outcomeUnknown: write, detail: `no answer within ${timeoutMs} ms`, cause: err })
    }
    const code = (err as { cause?: { code?: string } }).cause?.code
    throw new ChorusError({ operation, kind: 'unavailable', catalogue: CHORUS_ERRORS.chorus_unavailable, outcomeUnknown: write, detail: `network error${code ? ` ${code}` : ''}` })
  }
}
