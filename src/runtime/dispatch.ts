/**
 * Handler tables keyed by discriminator value. Generated `dispatch*`
 * functions route a message to its handler with a `switch` on its type.
 *
 * @module
 */

/** The discriminator values of a message union `M` under key `K`. */
export type TagOf<M, K extends string> = M extends Readonly<Record<K, infer T extends string>> ? T : never;

/** The member of union `M` whose discriminator `K` is `T`. */
export type MessageOf<M, K extends string, T extends string> = Extract<M, Readonly<Record<K, T>>>;

/**
 * One handler for every message type of `M`: leaving one out is a compile error.
 *
 * @example An exhaustive table
 * ```ts
 * import type { Handlers } from "./dispatch.ts";
 * type Msg = { type: "a"; n: number } | { type: "b"; s: string };
 * const handlers: Handlers<Msg> = {
 *   a: (m) => console.log(m.n),
 *   b: (m) => console.log(m.s),
 * };
 * ```
 */
export type Handlers<M, K extends string = "type", R = void> = {
  readonly [T in TagOf<M, K>]: (message: MessageOf<M, K, T>) => R;
};

/** Handlers for some of the message types of `M`. */
export type PartialHandlers<M, K extends string = "type", R = void> = Partial<Handlers<M, K, R>>;
