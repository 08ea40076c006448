/** A callback that may be called once; later calls are ignored (a hook that failed after answering). */
export function once<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  let called = false;
  return (...args: A) => {
    if (called) return;
    called = true;
    fn(...args);
  };
}

/**
 * Wrap an aedes hook so that nothing it throws, synchronously or from a
 * promise, can reach aedes' own call stack and end the process: the failure
 * goes to `fallback`, which answers aedes safely, and `onFailure` counts it.
 * The hook's last argument is its callback and is made once-only.
 */
export function guardHook<A extends unknown[], D extends (...args: never[]) => void>(
  name: string,
  hook: (...args: [...A, D]) => void | Promise<void>,
  fallback: (err: unknown, ...args: [...A, D]) => void,
  onFailure: (name: string, err: unknown) => void,
): (...args: [...A, D]) => void {
  return (...args: [...A, D]) => {
    const done = once(args[args.length - 1] as D) as unknown as D;
    const safeArgs = [...args.slice(0, -1), done] as [...A, D];
    const fail = (err: unknown): void => {
      try {
        onFailure(name, err);
        fallback(err, ...safeArgs);
      } catch (again) {
        onFailure(`${name} fallback`, again);
      }
    };
    try {
      const r = hook(...safeArgs);
      if (r && typeof (r as Promise<void>).then === 'function') (r as Promise<void>).catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}
