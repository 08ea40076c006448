// guardHook on its own: whatever the hook does, aedes' callback is answered exactly once and the failure is counted.
import { describe, expect, it } from 'vitest';
import { guardHook } from '../../../server/src/broker/hook-guard.ts';

type Done = (err: Error | null, ok?: boolean) => void;

function rig(hook: (x: number, done: Done) => void | Promise<void>, fallback: (err: unknown, x: number, done: Done) => void = (_e, _x, done) => done(null, false)) {
  const failures: string[] = [];
  const answers: unknown[][] = [];
  const guarded = guardHook<[number], Done>('test', hook, fallback, (name) => failures.push(name));
  return { failures, answers, call: (x: number) => guarded(x, (...a) => answers.push(a)) };
}

describe('guardHook', () => {
  it('passes the arguments through and lets the hook answer once (a second answer is ignored)', () => {
    const r = rig((x, done) => {
      done(null, x === 7);
      done(new Error('again'));
    });
    r.call(7);
    expect(r.answers).toEqual([[null, true]]);
    expect(r.failures).toEqual([]);
  });

  it('a hook that throws is answered by the fallback and counted; one that throws after answering is not answered twice', () => {
    const r = rig(() => {
      throw new Error('boom');
    });
    r.call(1);
    expect(r.answers).toEqual([[null, false]]);
    expect(r.failures).toEqual(['test']);
    const late = rig((_x, done) => {
      done(null, true);
      throw new Error('after');
    });
    late.call(1);
    expect(late.answers).toEqual([[null, true]]);
    expect(late.failures).toEqual(['test']);
  });

  it('a rejected promise is answered by the fallback; a fallback that throws is counted too', async () => {
    const r = rig(async () => {
      throw new Error('later');
    });
    r.call(1);
    await new Promise((res) => setImmediate(res));
    expect(r.answers).toEqual([[null, false]]);
    expect(r.failures).toEqual(['test']);
    const worse = rig(
      () => {
        throw new Error('boom');
      },
      () => {
        throw new Error('fallback too');
      },
    );
    worse.call(1);
    expect(worse.failures).toEqual(['test', 'test fallback']);
  });
});
