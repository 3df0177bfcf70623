/**
 * The NATS engine's positions: `<stream created, ms>-<sequence>`. The
 * stream's creation time tells a position given before the server lost its
 * store (and the stream was created again, its sequences starting over) from
 * one given after.
 *
 * @module
 */
import { compareDigits } from "./text.ts";

/** A position as the engine gives them: two numbers without leading zeros, 16 digits at most each. */
const POSITION = /^([1-9][0-9]{0,15})-([1-9][0-9]{0,15})$/;

/** A position taken apart. */
export interface NatsPosition {
  /** The stream's creation time, in ms, as decimal digits. */
  readonly epoch: string;
  /** The entry's sequence in the stream. */
  readonly seq: number;
}

/**
 * Takes a position apart, or tells that it is not one.
 *
 * @param position What a peer sent as a position.
 * @returns Its parts, or undefined when it is not a position this engine could have given.
 *
 * @example
 * ```ts
 * import { parsePosition } from "./nats_positions.ts";
 * console.log(parsePosition("1764500000000-42")); // { epoch: "1764500000000", seq: 42 }
 * console.log(parsePosition("0-0")); // undefined
 * ```
 */
export function parsePosition(position: string): NatsPosition | undefined {
  const parsed = POSITION.exec(position);
  if (parsed === null) return undefined;
  const [, epoch = "", seq = ""] = parsed;
  const number = Number(seq);
  return Number.isSafeInteger(number) ? { epoch, seq: number } : undefined;
}

/**
 * Orders two positions of one topic.
 *
 * @returns Negative when `a` comes first, 0 when equal, positive after.
 *
 * @example
 * ```ts
 * import { comparePositions } from "./nats_positions.ts";
 * console.log(comparePositions("1764500000000-9", "1764500000000-10") < 0); // true
 * console.log(comparePositions("1764500000000-9", "1764500000001-1") < 0); // true: the stream made again
 * ```
 */
export function comparePositions(a: string, b: string): number {
  const [aEpoch = "", aSeq = ""] = a.split("-");
  const [bEpoch = "", bSeq = ""] = b.split("-");
  return compareDigits(aEpoch, bEpoch) || compareDigits(aSeq, bSeq);
}
