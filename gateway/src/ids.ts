import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32, as ULID uses

function encodeTime(ms: number): string {
  let out = '';
  let t = Math.max(0, Math.floor(ms));
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/**
 * Time-ordered event ids (ULID layout: 10 characters of milliseconds, 16 of
 * randomness). Within one process ids are strictly increasing even when the
 * clock stands still (a VirtualClock) or steps back: the random part is then
 * incremented. 80 random bits keep ids unique per hub across restarts.
 */
export class EventIds {
  private lastTime = -1;
  private lastRandom: number[] = [];

  /** A new id for an event first written at `ms`. */
  next(ms: number): string {
    if (ms <= this.lastTime && this.lastRandom.length) {
      // Same (or earlier) millisecond: keep the previous time part and count up.
      for (let i = this.lastRandom.length - 1; i >= 0; i--) {
        if (this.lastRandom[i]! < 31) {
          this.lastRandom[i]! += 1;
          break;
        }
        this.lastRandom[i] = 0;
      }
    } else {
      this.lastTime = ms;
      this.lastRandom = [...randomBytes(16)].map((b) => b % 32);
    }
    return encodeTime(this.lastTime) + this.lastRandom.map((d) => ALPHABET[d]).join('');
  }
}
