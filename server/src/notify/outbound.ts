import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which hosts outbound channels (webhook, SMS provider, SMTP) may reach: public
 * addresses only, unless the deployment allows a `host:port` explicitly
 * (HEARTH_OUTBOUND_ALLOW, docs/configuration.md).
 */
export interface OutboundPolicy {
  /** `host:port` pairs (lower case) reachable although not public. */
  allow: readonly string[];
}

/** The default: public addresses only. */
export const PUBLIC_ONLY: OutboundPolicy = { allow: [] };

/** A destination refused by the outbound policy; never retried. */
export class OutboundBlocked extends Error {
  readonly code = 'OUTBOUND_BLOCKED';
}

/** The range name of a non-public address (loopback, private, linkLocal, ...), or null when it is public unicast. */
export function nonPublicRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const range = ip.range();
  return range === 'unicast' ? null : range;
}

function allowed(policy: OutboundPolicy, host: string, port: number): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return policy.allow.includes(`${h}:${port}`) || policy.allow.includes(`[${h}]:${port}`);
}

/**
 * Resolve a host the way a connection would, and check every address: all must
 * be public unless host:port is allowed. The connection then uses exactly these
 * addresses (passed as its `lookup`), so a DNS answer that changes between the
 * check and the connection (rebinding) cannot send it elsewhere.
 */
export async function resolveChecked(host: string, port: number, policy: OutboundPolicy): Promise<{ address: string; family: number }[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses = net.isIP(bare) ? [{ address: bare, family: net.isIP(bare) }] : await dns.promises.lookup(bare, { all: true, verbatim: true });
  if (!addresses.length) throw new OutboundBlocked(`${host} does not resolve`);
  if (allowed(policy, bare, port)) return addresses;
  for (const a of addresses) {
    const range = nonPublicRange(a.address);
    if (range) throw new OutboundBlocked(`blocked: ${host} is ${a.address} (${range}), not a public address; allow ${bare}:${port} in HEARTH_OUTBOUND_ALLOW if it is meant`);
  }
  return addresses;
}

/** A `lookup` for http/net that answers with addresses already checked. */
function pinnedLookup(addresses: { address: string; family: number }[]): net.LookupFunction {
  return ((_host: string, options: dns.LookupOptions, cb: (...args: unknown[]) => void) => {
    if (options?.all) cb(null, addresses);
    else cb(null, addresses[0]!.address, addresses[0]!.family);
  }) as unknown as net.LookupFunction;
}

/** What a POST got back: the status code only (the body is never read, kept or shown). */
export interface PostResult {
  status: number;
}

/**
 * POST a body to an http(s) URL under the outbound policy: the host is
 * resolved and checked, the connection pinned to the checked addresses,
 * redirects are not followed, and the answer's body is discarded.
 */
export async function safePost(url: string, headers: Record<string, string>, body: string, policy: OutboundPolicy, timeoutMs: number): Promise<PostResult> {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OutboundBlocked(`blocked: ${u.protocol} URLs are not allowed`);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const addresses = await resolveChecked(u.hostname, port, policy);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve, reject) => {
    const req = lib.request(
      {
        protocol: u.protocol,
        hostname: u.hostname.replace(/^\[|\]$/g, ''),
        port,
        path: `${u.pathname}${u.search}`,
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(addresses),
        signal: AbortSignal.timeout(timeoutMs),
        agent: false,
      },
      (res) => {
        res.resume(); // the body is drained unread
        res.on('error', () => {});
        resolve({ status: res.statusCode ?? 0 });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
