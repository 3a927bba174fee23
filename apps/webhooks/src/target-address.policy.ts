// Which addresses a delivery may connect to. A subscription URL is chosen by a merchant, so
// without a rule the worker could be pointed at the private network it runs in (the database,
// Redis, cloud metadata endpoints). By default only public addresses are allowed; the check runs
// on the address actually connected to (after DNS), so a name that resolves to a private address,
// or starts to, is refused as well. WEBHOOK_ALLOW_PRIVATE_TARGETS=true lifts it (local setups).
import type { LookupAddress, LookupOptions } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, LookupFunction } from 'node:net';

const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

/** True for loopback, private, link-local, carrier NAT, multicast and reserved addresses (and non-addresses). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return isPrivateAddress(mapped[1]);
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family === 6) return PRIVATE.check(address, 'ipv6');
  return true;
}

export class PrivateTargetError extends Error {
  constructor(host: string, address: string) {
    super(`${host} ${host === address ? 'is' : `resolves to ${address},`} a private address; deliveries to private networks are off`);
    this.name = 'PrivateTargetError';
  }
}

/** A DNS lookup for http.request that refuses names resolving to any private address. */
export const publicOnlyLookup: LookupFunction = (hostname: string, options: LookupOptions, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
    if (err) return callback(err, '');
    const refused = addresses.find((a) => isPrivateAddress(a.address));
    if (refused || addresses.length === 0) return callback(new PrivateTargetError(hostname, refused?.address ?? 'nothing'), '');
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0].address, addresses[0].family);
  });
};
