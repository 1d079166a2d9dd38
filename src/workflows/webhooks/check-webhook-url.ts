import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { AppError } from '../../domain/app-error'
import type { Ports } from '../ports'

/**
 * Refuses, when a webhook is created or changed, a URL whose host is or resolves to an address the
 * policy refuses (loopback, link-local, unspecified, multicast), naming the address and the setting
 * that would open it. Checked again at each delivery, on the address connected to (net/guarded-post.ts).
 */
export async function checkWebhookUrl(ports: Pick<Ports, 'webhookTargets'>, url: string): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '')
  let addresses: string[]
  if (isIP(host)) addresses = [host]
  else {
    try {
      addresses = (await lookup(host, { all: true })).map((a) => a.address)
    } catch {
      throw new AppError(400, 'webhook_host_unknown', { fr: `L’hôte ${host} est introuvable (DNS). Vérifiez l’URL du webhook.`, en: `The host ${host} cannot be found (DNS). Check the webhook URL.` }, [{ field: 'url', message: 'unknown host' }])
    }
  }
  for (const address of addresses) {
    const why = ports.webhookTargets.refusal(host, address)
    if (why) {
      throw new AppError(
        400,
        'webhook_address_refused',
        {
          fr: `Webhook refusé : ${host} désigne ${address}, une adresse locale ou réservée (boucle locale, lien local, multidiffusion). Pour l’autoriser, ajoutez-la à WEBHOOK_ALLOWED_HOSTS.`,
          en: `Webhook refused: ${host} is ${address}, a local or reserved address (loopback, link-local, multicast). To allow it, add it to WEBHOOK_ALLOWED_HOSTS.`,
        },
        [{ field: 'url', message: why }],
      )
    }
  }
}
