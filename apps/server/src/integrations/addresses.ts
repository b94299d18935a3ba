/**
 * Where webhooks may go: a tenant must not be able to make Beckon probe the host's own network
 * (SSRF). Private, loopback, link-local, carrier-grade NAT, multicast and reserved ranges are
 * refused — checked on the address actually connected to (after DNS), so a name that resolves
 * to 127.0.0.1, or changes its answer between the check and the request, is caught too.
 * `BECKON_WEBHOOKS_ALLOW_PRIVATE=1` (the installation's administrator, not a site admin) lifts
 * it, for receivers on the same network — and for the tests, whose receivers are on loopback.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { BeckonError } from '@beckon/protocol';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['100::', 64],
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

/** an IPv4 address inside an IPv6 one (::ffff:10.0.0.1, NAT64 64:ff9b::a00:1) */
function embeddedV4(addr: string): string | null {
  const m = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(addr);
  if (!m) return null;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

export function isPrivateAddress(addr: string): boolean {
  const family = isIP(addr);
  if (family === 4) return blocked.check(addr, 'ipv4');
  if (family === 6) {
    const v4 = embeddedV4(addr);
    return v4 ? blocked.check(v4, 'ipv4') : blocked.check(addr, 'ipv6');
  }
  return true;
}

/** What can be told from the URL alone (when an admin saves an endpoint). */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BeckonError('URL_NOT_ALLOWED', 'Not a URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BeckonError('URL_NOT_ALLOWED', 'Only http:// and https:// URLs can receive webhooks.');
  if (url.username || url.password) throw new BeckonError('URL_NOT_ALLOWED', 'Put credentials in the receiver, not in the URL: every delivery is signed.');
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (/^localhost$|\.localhost$|\.local$|\.internal$/i.test(host) || (isIP(host) && isPrivateAddress(host))) {
    throw new BeckonError('URL_NOT_ALLOWED', 'This URL points at a private or loopback address; webhooks go to the public internet.');
  }
  return url;
}

/** A DNS lookup for http.request that refuses private answers (unless allowed). */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      const ok = allowPrivate ? addresses : addresses.filter((a) => !isPrivateAddress(a.address));
      if (!ok.length) return callback(Object.assign(new Error(`${hostname} resolves to a private address`), { code: 'EPRIVATE' }), '', 4);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, ok);
      callback(null, ok[0]!.address, ok[0]!.family);
    });
  };
}
