/**
 * Upgrades accepted whose socket has not opened yet. Between the typed
 * server's yes to an upgrade and the socket's `open` lies the handshake: a
 * burst of upgrades all checked before any opened would pass every
 * connection limit. Each accepted upgrade holds a place until its socket
 * opens, or until the handshake's grace runs out (a peer that never finishes
 * it must not hold a place for good).
 *
 * @module
 */

interface Reservation {
  readonly address: string;
  readonly at: number;
  live: boolean;
}

/**
 * Places held by accepted upgrades, by remote address, oldest first.
 *
 * @example
 * ```ts
 * import { UpgradeReservations } from "./upgrade_reservations.ts";
 * const held = new UpgradeReservations(10_000);
 * held.reserve("127.0.0.1", Date.now());
 * held.count("127.0.0.1", Date.now()); // 1
 * held.release("127.0.0.1"); // its socket opened
 * ```
 */
export class UpgradeReservations {
  readonly #byAddress = new Map<string, Reservation[]>();
  /** Every reservation in the order made, released ones included until they reach the head. */
  #queue: Reservation[] = [];
  #head = 0;
  #live = 0;

  /** @param graceMs How long an accepted upgrade may take to open before its place is given back. */
  constructor(readonly graceMs: number) {}

  /** Holds a place for an upgrade from `address`, accepted at `now`. */
  reserve(address: string, now: number): void {
    const reservation: Reservation = { address, at: now, live: true };
    const list = this.#byAddress.get(address);
    if (list === undefined) this.#byAddress.set(address, [reservation]);
    else list.push(reservation);
    this.#queue.push(reservation);
    this.#live++;
  }

  /** Gives back the oldest place `address` holds: its socket opened (and is counted as open from now on). */
  release(address: string): void {
    const list = this.#byAddress.get(address);
    const reservation = list?.shift();
    if (reservation === undefined) return;
    if (list!.length === 0) this.#byAddress.delete(address);
    reservation.live = false;
    this.#live--;
  }

  /** Places held by `address` at `now`. */
  count(address: string, now: number): number {
    this.#expire(now);
    return this.#byAddress.get(address)?.length ?? 0;
  }

  /** Places held in all at `now`. */
  total(now: number): number {
    this.#expire(now);
    return this.#live;
  }

  /** Gives back the places of upgrades older than the grace, and forgets released ones at the head. */
  #expire(now: number): void {
    while (this.#head < this.#queue.length) {
      const oldest = this.#queue[this.#head]!;
      if (oldest.live && now - oldest.at < this.graceMs) break;
      if (oldest.live) this.release(oldest.address);
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
