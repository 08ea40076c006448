import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds, MAX_JSON_DEPTH, MAX_PAYLOAD_BYTES, parseEventsPayload, parseHubJson } from '../../../protocol/index.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { RejectionLimiter } from '../../../server/src/ingest/rejection-limiter.ts';

describe('the payload guard', () => {
  it('finds nesting depth on the text, ignoring brackets inside strings and escaped quotes', () => {
    expect(jsonDepthExceeds('[[[]]]', 3)).toBe(false);
    expect(jsonDepthExceeds('[[[[]]]]', 3)).toBe(true);
    expect(jsonDepthExceeds('{"a":{"b":{"c":1}}}', 3)).toBe(false);
    expect(jsonDepthExceeds('{"a":{"b":{"c":{"d":1}}}}', 3)).toBe(true);
    expect(jsonDepthExceeds(`["${'['.repeat(1000)}"]`, 3)).toBe(false);
    expect(jsonDepthExceeds(`["\\"${'['.repeat(10)}"]`, 3)).toBe(false);
    expect(jsonDepthExceeds(`["\\\\", ${'['.repeat(10)}]`, 3)).toBe(true); // an escaped backslash ends the string before the brackets
    expect(jsonDepthExceeds('['.repeat(100_000), MAX_JSON_DEPTH)).toBe(true);
  });

  it('agrees with a character-by-character scan on random text of quotes, backslashes and brackets', () => {
    const reference = (text: string, limit: number): boolean => {
      let depth = 0;
      let inString = false;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
          if (c === '\\') i++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '[' || c === '{') {
          if (++depth > limit) return true;
        } else if (c === ']' || c === '}') depth--;
      }
      return false;
    };
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = ['"', '\\', '[', ']', '{', '}', 'a', ',', ':'];
    for (let n = 0; n < 5000; n++) {
      const text = Array.from({ length: 1 + Math.floor(rand() * 40) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      expect(jsonDepthExceeds(text, 3), text).toBe(reference(text, 3));
    }
  });

  it('never throws, and says why: depth, size, JSON', () => {
    expect(parseHubJson('['.repeat(100_000) + ']'.repeat(100_000))).toMatchObject({ ok: false, reason: 'HEARTH_ERR_INGEST_DEPTH' });
    expect(parseHubJson(Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20))).toMatchObject({ ok: false, reason: 'HEARTH_ERR_INGEST_SIZE' });
    expect(parseHubJson(Buffer.from([0xff, 0xfe]))).toMatchObject({ ok: false, reason: 'HEARTH_ERR_INGEST_JSON' });
    expect(parseHubJson('{"__proto__":{"x":1}}')).toMatchObject({ ok: true });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('sets a deep batch aside whole, with its raw text', () => {
    const text = `{"events":[${'['.repeat(40)}${']'.repeat(40)}]}`;
    const [v] = parseEventsPayload(text);
    expect(v).toMatchObject({ ok: false, reason: 'HEARTH_ERR_INGEST_DEPTH', raw: text });
  });
});

describe('the rejection limiter', () => {
  it('stores within the burst, refills with the clock, and says disconnect once when a hub keeps going over', () => {
    const clock = new VirtualClock(0);
    const l = new RejectionLimiter(clock, { perSecond: 1, burst: 3, bytesPerSecond: 1000, burstBytes: 10_000, disconnectAfter: 5, windowMs: 60_000, holdOffMs: 1000, logEveryMs: 60_000 });
    const verdicts = Array.from({ length: 10 }, () => l.admit('hub-a', 10));
    expect(verdicts.filter((v) => v.store)).toHaveLength(3);
    expect(verdicts.filter((v) => v.disconnect)).toHaveLength(1);
    expect(l.admit('hub-b', 10).store).toBe(true); // another hub has its own budget
    clock.advance(2000);
    expect(l.admit('hub-a', 10).store).toBe(true);
    expect(l.admit('hub-a', 20_000).store).toBe(false); // the byte budget
    expect(l.sample('hub-a')).toEqual({ log: true, suppressed: 0 });
    expect(l.sample('hub-a').log).toBe(false);
    clock.advance(60_000);
    expect(l.sample('hub-a')).toEqual({ log: true, suppressed: 1 });
  });
});
