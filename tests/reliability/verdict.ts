/**
 * What the reliability scenarios share: named checks (the test asserts them,
 * the report prints them), and bounded waiting.
 */

/** One property a scenario promises, and whether it held. */
export interface Check {
  readonly name: string;
  readonly held: boolean;
}

/**
 * Names checks.
 *
 * @param list `[name, held]` pairs.
 * @returns The checks.
 */
export function checks(list: readonly (readonly [string, boolean])[]): Check[] {
  return list.map(([name, held]) => ({ name, held }));
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until `condition()` is true, checking every 10 ms, for at most `timeout` ms.
 *
 * @returns Whether the condition became true in time.
 */
export async function until(condition: () => boolean, timeout: number): Promise<boolean> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

/**
 * A promise, or an error after `timeout` ms.
 *
 * @param what What is awaited, for the error message.
 * @returns What the promise resolves to.
 */
export function within<T>(promise: Promise<T>, timeout: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${timeout} ms`)), timeout);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
