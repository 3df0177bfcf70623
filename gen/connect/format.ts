/**
 * How `typewire connect` writes its events: one JSON object a line (NDJSON, for scripts), or readable lines for a
 * person at a terminal. The readable form of a message is the short form (`< say seq=1 text="hi"`), so a line can be
 * copied back as input.
 *
 * @module
 */
import { closeCodeName } from "../../src/client/close_codes.ts";
import { shorten } from "../../src/runtime/issue.ts";
import type { ConnectEvent } from "./events.ts";

/** Turns an event into one line of output (without its line break), or `undefined` to write nothing. */
export type EventFormatter = (event: ConnectEvent) => string | undefined;

/**
 * Formats an event as one line of NDJSON.
 *
 * @param event The event.
 * @returns Its JSON, on one line.
 * @example
 * ```ts
 * import { ndjsonLine } from "./format.ts";
 * ndjsonLine({ event: "close", code: 1000, reason: "", wasClean: true, willReconnect: false });
 * // '{"event":"close","code":1000,"reason":"","wasClean":true,"willReconnect":false}'
 * ```
 */
export function ndjsonLine(event: ConnectEvent): string {
  return JSON.stringify(event);
}

/** How readable lines look. */
export interface PrettyOptions {
  /** The protocol's discriminator: a message's type is written first, then its other fields. */
  readonly discriminator: string;
  /** Colour with ANSI escapes (a terminal, and `NO_COLOR` unset). @default false */
  readonly colour?: boolean;
  /** Show each message sent (when the terminal does not echo what was typed). @default false */
  readonly echoSent?: boolean;
}

const STYLES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, magenta: 35, cyan: 36 } as const;
type Style = keyof typeof STYLES;

/** The longest frame shown under a refused one, in UTF-16 units. */
const FRAME_PREVIEW = 200;

/**
 * Makes the formatter of readable lines: `< ` for a message received (its type first, then `field=value`s, nested
 * fields dotted), `> ` for one sent, `* ` for the connection's news, `! ` for what was refused, with the JSON
 * Pointer and the reason.
 *
 * @param options The discriminator, colour, and whether sent messages are shown.
 * @returns The formatter.
 * @example
 * ```ts
 * import { prettyFormatter } from "./format.ts";
 *
 * const format = prettyFormatter({ discriminator: "type" });
 * format({ event: "message", data: { type: "echo", seq: 1, text: "hi", meta: { at: 3 } } });
 * // '< echo seq=1 text="hi" meta.at=3'
 * ```
 */
export function prettyFormatter(options: PrettyOptions): EventFormatter {
  const paint = (style: Style, text: string): string => options.colour ? `\x1b[${STYLES[style]}m${text}\x1b[0m` : text;
  const message = (data: unknown): string => formatMessage(data, options.discriminator, paint);
  return (event) => {
    switch (event.event) {
      case "message":
        return `${paint("dim", "<")} ${message(event.data)}`;
      case "sent":
        if (event.status === "queued") return paint("dim", `* queued until connected: ${message(event.data)}`);
        return options.echoSent ? `${paint("dim", ">")} ${message(event.data)}` : undefined;
      case "invalid": {
        const frame = event.frame === undefined ? `${event.bytes} bytes` : shorten(event.frame, FRAME_PREVIEW);
        return `${paint("red", `! invalid frame: ${event.reason}`)}\n  ${paint("dim", frame)}`;
      }
      case "refused": {
        const at = event.column === undefined ? "" : ` (column ${event.column})`;
        return paint("red", `! not sent: ${event.reason}${at}`);
      }
      case "open":
        return paint(
          "dim",
          `* ${event.reconnected ? "reconnected" : "connected"}${
            event.subprotocol ? ` (subprotocol ${JSON.stringify(event.subprotocol)})` : ""
          }`,
        );
      case "close": {
        const name = closeCodeName(event.code);
        const why = `${event.code}${name ? ` ${name}` : ""}${event.reason ? `: ${event.reason}` : ""}`;
        return paint(event.willReconnect ? "yellow" : "dim", `* disconnected (${why})`);
      }
      case "reconnecting":
        return paint("dim", `* reconnecting in ${(event.delay / 1000).toFixed(1)} s (attempt ${event.attempt})`);
      case "error":
        return paint("red", `! ${event.message}`);
      case "resumed":
        return event.resumed
          ? paint("dim", `* topic ${JSON.stringify(event.topic)} resumed: ${event.replayed} missed messages sent again`)
          : paint("yellow", `! topic ${JSON.stringify(event.topic)} not resumed (${event.reason}): ${event.message}`);
    }
  };
}

/** A key as the short form reads it back: bare when it can be, else a JSON string. */
function formatKey(key: string): string {
  return /^[^\s."'=]+$/.test(key) ? key : JSON.stringify(key);
}

function isNestable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0;
}

function formatMessage(data: unknown, discriminator: string, paint: (style: Style, text: string) => string): string {
  if (!isNestable(data)) return JSON.stringify(data);
  const parts = [paint("bold", paint("cyan", String(data[discriminator])))];
  const walk = (object: Record<string, unknown>, prefix: string, top: boolean): void => {
    for (const [key, value] of Object.entries(object)) {
      if (top && key === discriminator) continue;
      const path = prefix + formatKey(key);
      if (isNestable(value)) walk(value, `${path}.`, false);
      else parts.push(`${path}=${paintValue(value, paint)}`);
    }
  };
  walk(data, "", true);
  return parts.join(" ");
}

function paintValue(value: unknown, paint: (style: Style, text: string) => string): string {
  const text = JSON.stringify(value);
  if (typeof value === "string") return paint("green", text);
  if (typeof value === "number") return paint("yellow", text);
  if (typeof value === "boolean" || value === null) return paint("magenta", text);
  return text;
}
