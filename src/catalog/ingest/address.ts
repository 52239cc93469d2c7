/**
 * Which network addresses ingest may fetch from. A descriptor can name any URL, so without this the bot
 * would fetch from inside its own network (loopback, the pod network, the cloud metadata service) on a
 * stranger's behalf. The operator opens exceptions with `catalog.fetch.allow` (hosts or CIDRs).
 */
import { BlockList, isIP } from 'node:net';

/** Loopback, private, link-local, CGNAT, multicast, reserved and "this network" ranges. */
const DENIED_V4: [string, number][] = [
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
];
/** Unspecified, loopback, IPv4-compatible, NAT64, unique-local (fd00:ec2::254 too), link-local, multicast. */
const DENIED_V6: [string, number][] = [
  ['::', 96],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
];
/** Names of metadata services that answer on some clouds without resolving to a link-local address. */
const DENIED_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);

const denied = new BlockList();
for (const [net, bits] of DENIED_V4) denied.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of DENIED_V6) denied.addSubnet(net, bits, 'ipv6');

export interface AddressPolicy {
  /** Why `host` may not be fetched from, or undefined when it may (by name, before resolving it). */
  refuseHost(host: string): string | undefined;
  /** Why `address` (a resolved IP) may not be connected to, or undefined when it may. */
  refuseAddress(host: string, address: string): string | undefined;
}

/** `allow` entries: host names (exact, any case), IP addresses, or CIDRs such as `10.1.0.0/16`. */
export function addressPolicy(allow: readonly string[] = []): AddressPolicy {
  const hosts = new Set<string>();
  const allowed = new BlockList();
  for (const entry of allow) {
    const [net = '', bits] = entry.trim().split('/');
    const version = isIP(net);
    if (version === 0) hosts.add(entry.trim().toLowerCase().replace(/\.$/, ''));
    else allowed.addSubnet(unmap(net), bits === undefined ? (version === 4 ? 32 : 128) : Number(bits), isIP(unmap(net)) === 4 ? 'ipv4' : 'ipv6');
  }
  const hostAllowed = (host: string) => hosts.has(host.toLowerCase().replace(/\.$/, ''));
  return {
    refuseHost(host) {
      if (hostAllowed(host)) return undefined;
      if (DENIED_NAMES.has(host.toLowerCase().replace(/\.$/, ''))) return `${host} is a cloud metadata service`;
      return isIP(host) ? this.refuseAddress(host, host) : undefined;
    },
    refuseAddress(host, address) {
      if (hostAllowed(host)) return undefined;
      const ip = unmap(address);
      const type = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
      if (allowed.check(ip, type)) return undefined;
      if (denied.check(ip, type)) {
        const shown = ip === host ? host : `${host} (${address})`;
        return `${shown} is a loopback, private, link-local or reserved address; allow it with catalog.fetch.allow`;
      }
      return undefined;
    },
  };
}

/** `::ffff:127.0.0.1` and `::ffff:7f00:1` are 127.0.0.1: check IPv4-mapped IPv6 as the IPv4 it carries. */
export function unmap(address: string): string {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  if (isIP(a) !== 6) return a;
  const groups = expandV6(a);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return a;
}

function expandV6(a: string): number[] {
  let text = a;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [b0, b1, b2, b3] = (dotted[1] as string).split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -(dotted[1] as string).length) + `${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => parseInt(g || '0', 16));
}
