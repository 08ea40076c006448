import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Name of the cookie that marks a browser where a user has signed in before. */
export const DEVICE_COOKIE = 'hearth_device';
/** How long a device stays known after its last sign-in: 180 days. */
export const DEVICE_TTL_MS = 180 * 24 * 3600_000;
const MAX_USERS = 20;

interface DevicePayload {
  /** A random id for the device (its failures are counted under it). */
  d: string;
  /** Usernames (lower case) that signed in on it, with the time of their last sign-in. */
  u: Record<string, number>;
}

/**
 * The "known device" cookie (docs/security.md): HMAC-SHA256 signed with a
 * server key kept in the data folder (`device-key`, created on first use,
 * owner-only). With it, the right password works even while others' failed
 * guesses slow down that username or address.
 */
export class KnownDevices {
  private readonly key: Buffer;

  constructor(dataDir: string) {
    const file = path.join(dataDir, 'device-key');
    if (!fs.existsSync(file)) {
      fs.mkdirSync(dataDir, { recursive: true });
      try {
        fs.writeFileSync(file, crypto.randomBytes(32), { mode: 0o600, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    this.key = fs.readFileSync(file);
  }

  private sign(body: string): string {
    return crypto.createHmac('sha256', this.key).update(body).digest('base64url');
  }

  /** The device behind a cookie value, if its signature holds. */
  read(cookie: string | undefined, now: number): DevicePayload | undefined {
    if (!cookie || cookie.length > 4096) return undefined;
    const [body, mac] = cookie.split('.');
    if (!body || !mac) return undefined;
    const expected = Buffer.from(this.sign(body));
    const got = Buffer.from(mac);
    if (expected.length !== got.length || !crypto.timingSafeEqual(expected, got)) return undefined;
    try {
      const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as DevicePayload;
      if (typeof p.d !== 'string' || typeof p.u !== 'object' || !p.u) return undefined;
      const fresh = Object.entries(p.u).filter(([, at]) => typeof at === 'number' && now - at <= DEVICE_TTL_MS);
      return { d: p.d, u: Object.fromEntries(fresh) };
    } catch {
      return undefined;
    }
  }

  /** Whether the cookie says this username has signed in on this device. */
  knows(device: DevicePayload | undefined, username: string): boolean {
    return !!device && Object.hasOwn(device.u, username.toLowerCase());
  }

  /** The cookie value after a successful sign-in of username on this device. */
  remember(device: DevicePayload | undefined, username: string, now: number): string {
    // Entries, not assignment: a username such as "__proto__" stays a plain key.
    const entries = Object.entries(device?.u ?? {}).filter(([u]) => u !== username.toLowerCase());
    entries.push([username.toLowerCase(), now]);
    entries.sort((a, b) => b[1] - a[1]);
    const p: DevicePayload = { d: device?.d ?? crypto.randomBytes(12).toString('base64url'), u: Object.fromEntries(entries.slice(0, MAX_USERS)) };
    const body = Buffer.from(JSON.stringify(p)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }
}
