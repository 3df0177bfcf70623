/**
 * Sending a value that changes often (a user list) at a bounded rate: a
 * burst at once, then at most so many a second, each time the latest only.
 *
 * @module
 */
import { takeToken } from "../../server/rate_limit.ts";

/**
 * Passes values on to `send`, at most `burst` at once and then `perSecond`;
 * a value that comes while the allowance is spent is held, replacing an older
 * held one, and goes out as soon as the allowance has room again.
 *
 * @example
 * ```ts
 * import { LatestPacer } from "./latest_pacer.ts";
 * const pacer = new LatestPacer<number>((n) => console.log(n), 4, 2, (a, b) => a >= b);
 * for (let n = 1; n <= 5; n++) pacer.offer(n); // prints 1 and 2 now, 5 a quarter of a second later
 * pacer.stop();
 * ```
 */
export class LatestPacer<T> {
  readonly #allowance: { tokens: number; refilledAt: number };
  #held: T | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param send Where values go.
   * @param perSecond The most values sent a second, once the burst is spent.
   * @param burst The most values sent at once.
   * @param isNewer Whether the first value supersedes the second (a held value is replaced only by a newer one).
   */
  constructor(
    private readonly send: (value: T) => void,
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly isNewer: (a: T, b: T) => boolean,
  ) {
    this.#allowance = { tokens: burst, refilledAt: Date.now() };
  }

  /** Sends `value` now if the allowance has room, else holds it until it has. */
  offer(value: T): void {
    if (this.#held === undefined && takeToken(this.#allowance, this.perSecond, this.burst, Date.now())) {
      this.send(value);
      return;
    }
    if (this.#held === undefined || this.isNewer(value, this.#held)) this.#held = value;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const held = this.#held;
      this.#held = undefined;
      if (held !== undefined) this.offer(held);
    }, 1000 / this.perSecond);
  }

  /** Drops a held value and its timer. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#held = undefined;
  }
}
