/**
 * Helper functions an emitter discovers it needs while printing another
 * (a validator for an inline object, a writer for a list item): each gets a
 * fresh module-level name once, and waits in a queue to be printed after.
 *
 * @module
 */
import type { Shape } from "./model.ts";

/** A function still to print: its name and the shape it handles. */
export interface PendingHelper {
  readonly name: string;
  readonly shape: Shape;
}

/**
 * Names helpers and queues them for printing.
 *
 * @example
 * ```ts
 * import { HelperQueue } from "./helper_queue.ts";
 * const queue = new HelperQueue(new Set(["checkPoint"]));
 * queue.fresh("checkPoint"); // "checkPoint_"
 * ```
 */
export class HelperQueue {
  readonly #pending: PendingHelper[] = [];
  readonly #named = new Map<Shape, string>();

  /** @param taken Module-level names in use; new names are added to it. */
  constructor(private readonly taken: Set<string>) {}

  /** Claims a module-level name: `base`, or `base` with underscores appended until it is free. */
  fresh(base: string): string {
    let name = base;
    while (this.taken.has(name)) name += "_";
    this.taken.add(name);
    return name;
  }

  /** Queues a function under a name chosen by the caller. */
  enqueue(name: string, shape: Shape): void {
    this.#pending.push({ name, shape });
  }

  /** The helper for a shape: named and queued on first request, the same name after. */
  helperFor(shape: Shape, base: string): string {
    const known = this.#named.get(shape);
    if (known !== undefined) return known;
    const name = this.fresh(base);
    this.#named.set(shape, name);
    this.enqueue(name, shape);
    return name;
  }

  /** Takes the next function to print, if any. */
  next(): PendingHelper | undefined {
    return this.#pending.shift();
  }
}
