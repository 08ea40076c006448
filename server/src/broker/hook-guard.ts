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
 * It runs for every message a hub publishes, so a call allocates only the
 * once-only callback; the failure path is built when something fails.
 */
export function guardHook<A extends unknown[], D extends (...args: never[]) => void>(
  name: string,
  hook: (...args: [...A, D]) => void | Promise<void>,
  fallback: (err: unknown, ...args: [...A, D]) => void,
  onFailure: (name: string, err: unknown) => void,
): (...args: [...A, D]) => void {
  return (...args: [...A, D]) => {
    const last = args.length - 1;
    args[last] = once(args[last] as D) as unknown as D;
    try {
      const r = hook(...args);
      if (r && typeof (r as Promise<void>).then === 'function') (r as Promise<void>).then(undefined, (err: unknown) => failed(name, err, args, fallback, onFailure));
    } catch (err) {
      failed(name, err, args, fallback, onFailure);
    }
  };
}

/** A guarded hook failed: count it and answer aedes through the fallback (whose own failure is counted too). */
function failed<T extends unknown[]>(name: string, err: unknown, args: T, fallback: (err: unknown, ...args: T) => void, onFailure: (name: string, err: unknown) => void): void {
  try {
    onFailure(name, err);
    fallback(err, ...args);
  } catch (again) {
    onFailure(`${name} fallback`, again);
  }
}
