import { BlockList, isIP } from 'node:net'

/**
 * Where outbound requests (webhooks) may go. Loopback, link-local (cloud metadata at 169.254.169.254
 * and fd00:ec2::254 included), unspecified and multicast addresses are refused: a webhook pointed at
 * them reached the connector's own port and the machine's database. Private LAN ranges stay allowed
 * (hosts often live there). The operator opens more with host names, IPs or CIDRs.
 */
export interface AddressPolicy {
  /** Undefined when the address may be reached; else why not, as a short English phrase. */
  refusal(host: string, address: string): string | undefined
}

const forbidden = new BlockList()
forbidden.addSubnet('127.0.0.0', 8, 'ipv4')
forbidden.addSubnet('0.0.0.0', 8, 'ipv4')
forbidden.addSubnet('169.254.0.0', 16, 'ipv4')
forbidden.addSubnet('224.0.0.0', 4, 'ipv4')
forbidden.addSubnet('255.255.255.255', 32, 'ipv4')
forbidden.addAddress('::', 'ipv6')
forbidden.addAddress('::1', 'ipv6')
forbidden.addSubnet('fe80::', 10, 'ipv6')
forbidden.addSubnet('ff00::', 8, 'ipv6')
forbidden.addAddress('fd00:ec2::254', 'ipv6')

function kindOf(address: string): string {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4'
  // An IPv4 address written as IPv6 (::ffff:127.0.0.1) is the IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return kindOf(mapped[1]!)
  if (!forbidden.check(address, family)) return 'allowed'
  if (family === 'ipv4') {
    if (address.startsWith('127.')) return 'loopback'
    if (address.startsWith('169.254.')) return 'link-local'
    if (address.startsWith('0.')) return 'unspecified'
    return 'multicast or broadcast'
  }
  if (address === '::1') return 'loopback'
  if (address === '::') return 'unspecified'
  if (/^ff/i.test(address)) return 'multicast'
  return 'link-local'
}

/** `entries`: host names, IPs or CIDRs (WEBHOOK_ALLOWED_HOSTS) that are allowed whatever their address. */
export function addressPolicy(entries: readonly string[]): AddressPolicy {
  const hosts = new Set<string>()
  const allowed = new BlockList()
  for (const raw of entries) {
    const e = raw.trim().toLowerCase()
    if (!e) continue
    const cidr = /^(.+)\/(\d{1,3})$/.exec(e)
    if (cidr && isIP(cidr[1]!)) allowed.addSubnet(cidr[1]!, Number(cidr[2]), isIP(cidr[1]!) === 6 ? 'ipv6' : 'ipv4')
    else if (isIP(e.replace(/^\[|\]$/g, ''))) {
      const ip = e.replace(/^\[|\]$/g, '')
      allowed.addAddress(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4')
    } else hosts.add(e)
  }
  return {
    refusal(host, address) {
      if (hosts.has(host.toLowerCase().replace(/^\[|\]$/g, ''))) return undefined
      if (isIP(address) && allowed.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')) return undefined
      const kind = kindOf(address)
      return kind === 'allowed' ? undefined : `${address} is a ${kind} address`
    },
  }
}

/** Host names, IPs or CIDRs separated by commas or spaces. */
export function parseHostList(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter(Boolean)
}
