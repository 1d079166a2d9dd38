import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import type { AddressPolicy } from '../domain/address-policy'

export class AddressRefused extends Error {
  override readonly name = 'AddressRefused'
}

export interface PostAnswer {
  readonly status: number
  /** At most the first `keepChars` characters of the answer, for a delivery log. */
  readonly text: string
}

/**
 * A lookup that resolves the host and refuses it when any address the policy refuses comes back, so
 * the check happens after DNS resolution, on the very address the socket connects to (no window for a
 * name that answers a public address to the check and a loopback one to the connection).
 */
function guardedLookup(host: string, policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0)
      for (const a of addresses) {
        const why = policy.refusal(host, a.address)
        if (why) return callback(new AddressRefused(`${host} resolves to ${why}; refused (WEBHOOK_ALLOWED_HOSTS opens it)`), '', 0)
      }
      const first = addresses[0]
      if (!first) return callback(new Error(`${host} has no address`), '', 0)
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses)
      callback(null, first.address, first.family)
    })
  }
}

/**
 * POSTs a body to a URL through the address policy: no redirect is followed (a 3xx is the answer),
 * the answer is read up to `keepChars` characters, and the whole exchange is bounded by `timeoutMs`.
 */
export function guardedPost(url: URL, headers: Record<string, string>, body: string, opts: { policy: AddressPolicy; timeoutMs: number; keepChars?: number }): Promise<PostAnswer> {
  const keep = opts.keepChars ?? 200
  const host = url.hostname.replace(/^\[|\]$/g, '')
  // A literal IP never goes through lookup: check it here.
  if (/^[\d.]+$/.test(host) || host.includes(':')) {
    const why = opts.policy.refusal(host, host)
    if (why) return Promise.reject(new AddressRefused(`${why}; refused (WEBHOOK_ALLOWED_HOSTS opens it)`))
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: guardedLookup(host, opts.policy), timeout: opts.timeoutMs }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        if (text.length < keep) text += chunk.slice(0, keep - text.length)
        // The rest is read and dropped: it is not ours to keep.
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${opts.timeoutMs} ms`), { name: 'TimeoutError' })))
    req.on('error', reject)
    req.end(body)
  })
}
