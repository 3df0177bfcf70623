/**
 * The loop of `typewire connect`: the typed client on one side, lines of input and of output on the other.
 *
 * @module
 */
import process from "node:process";
import { clearLine, createInterface, cursorTo } from "node:readline";
import type { Readable, Writable } from "node:stream";
import {
  type CloseEventInfo,
  connect,
  isTerminalCode,
  OutgoingMessageError,
  QueueFullError,
} from "../../src/client/mod.ts";
import type { DecodeResult, EncodeError, EncodeResult } from "../../src/runtime/result.ts";
import { didYouMean } from "../closest.ts";
import { type ConnectEvent, invalidFrameEvent, refusedLineEvent, refusedMessageEvent } from "./events.ts";
import type { EventFormatter } from "./format.ts";
import { parseInputLine } from "./input_line.ts";
import type { PickedProtocol } from "./pick_protocol.ts";

/** The exit statuses of a session of `typewire connect` (a usage error is 2: see `reportUsageError`). */
export const EXIT = {
  /** Input ended and the connection closed (by the client, or by the server with 1000); or, under `--no-reconnect`, the server closed it with 1000. */
  ok: 0,
  /** The connection was lost for good: refused, closed with a code other than 1000, or a terminal code. */
  lost: 1,
  /** Ctrl-C (SIGINT), after closing the connection. */
  interrupted: 130,
  /** SIGTERM, after closing the connection. */
  terminated: 143,
} as const;

/** What a session runs with. */
export interface SessionOptions {
  /** The server's URL. */
  readonly url: string;
  /** The protocol descriptor (see `loadProtocol`). */
  readonly picked: PickedProtocol;
  /** The subprotocols to offer instead of the protocol's own. @default the protocol's own */
  readonly subprotocols?: readonly string[];
  /** Reconnect after a drop. @default true */
  readonly reconnect?: boolean;
  /** Refuse incoming messages with properties the schema does not name. @default false */
  readonly strict?: boolean;
  /** After input ends and queued messages went out, how long to keep listening, in milliseconds. @default 0 */
  readonly wait?: number;
  /** Writes each event as a line. */
  readonly format: EventFormatter;
  /** Where lines of input come from: JSON or the short form, one message a line. */
  readonly input: Readable;
  /** Where lines of output go. */
  readonly output: Writable;
  /** A person at a terminal: line editing, a `> ` prompt, events written above it. @default false */
  readonly prompt?: boolean;
}

/**
 * Connects, prints what arrives, sends each line of input (after validating it), and ends when input ends (after
 * the first connection, the queued messages going out, and `wait`), on SIGINT or SIGTERM (closing cleanly; a second
 * one ends the process at once), or when the connection is lost for good.
 *
 * @param options What to connect to, with what, and where input and output go.
 * @returns The exit status (see {@link EXIT}).
 * @throws {SyntaxError} For a URL the client refuses.
 * @example Send one line, print what comes back as NDJSON
 * ```ts
 * import { Readable } from "node:stream";
 * import process from "node:process";
 * import { runSession } from "./session.ts";
 * import { ndjsonLine } from "./format.ts";
 * import { loadProtocol } from "./load_protocol.ts";
 *
 * const picked = await loadProtocol("tests/fixtures/generated/echo.ts");
 * const input = Readable.from(["say seq=1 text=hi\n"]);
 * const status = await runSession({
 *   url: "ws://127.0.0.1:6510",
 *   picked,
 *   wait: 500,
 *   format: ndjsonLine,
 *   input,
 *   output: process.stdout,
 * });
 * console.log(status);
 * ```
 */
export function runSession(options: SessionOptions): Promise<number> {
  const { protocol, clientTypes } = options.picked;
  const { discriminator } = protocol;
  const prompt = options.prompt === true;
  /** Input ended, or a signal came: the session is closing. */
  let ending = false;
  let opens = 0;
  const client = connect(protocol, options.url, {
    // Once input has ended and everything queued went out, a connection the server closes is the end of the session.
    reconnect: options.reconnect === false
      ? false
      : { shouldReconnect: (close) => !sessionOver() && !isTerminalCode(close.code) },
    strict: options.strict === true,
    ...(options.subprotocols?.length ? { protocols: options.subprotocols } : {}),
  });
  const lines = createInterface(
    prompt
      ? { input: options.input, output: options.output, terminal: true, prompt: "> " }
      : { input: options.input, terminal: false },
  );

  let done = false;
  /** Input ended after the first connection opened, and everything queued went out: nothing to reconnect for. */
  function sessionOver(): boolean {
    return ending && opens > 0 && client.queued === 0;
  }
  /** `client.close()` was called: the close that follows is ours. */
  let closing = false;
  let outputBroken = false;
  /** Readline has closed (end of input, or the end): it must not prompt again. */
  let inputClosed = false;
  /** The close that ended the connection for good, when it was not ours. */
  let lost: CloseEventInfo | undefined;
  let settle: (status: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (settle = resolve));
  const closedForGood = new Promise<void>((resolve) =>
    client.onEvent("close", (event) => event.willReconnect || resolve())
  );

  const print = (event: ConnectEvent): void => {
    const text = options.format(event);
    if (text === undefined || outputBroken) return;
    if (!prompt) {
      options.output.write(`${text}\n`);
      return;
    }
    clearLine(options.output, 0);
    cursorTo(options.output, 0);
    options.output.write(`${text}\n`);
    if (!inputClosed) lines.prompt(true);
  };

  client.onEvent("open", () => print({ event: "open", subprotocol: client.protocol, reconnected: opens++ > 0 }));
  client.onEvent("close", (event) => {
    const { code, reason, wasClean, willReconnect } = event;
    print({ event: "close", code, reason, wasClean, willReconnect });
    if (willReconnect || closing) return;
    lost = event;
    if (!ending) finish(exitAfter(event));
  });
  client.onEvent("reconnecting", ({ attempt, delay }) => print({ event: "reconnecting", attempt, delay }));
  client.onEvent("error", ({ error }) => print({ event: "error", message: error.message }));
  client.onEvent("invalid", ({ error, frame }) => print(invalidFrameEvent(error, frame, discriminator)));
  client.onEvent("unknown", ({ error, frame }) => print(invalidFrameEvent(error, frame, discriminator)));
  client.onEvent("resumed", (notice) => {
    const { type: _, ...rest } = notice;
    print({ event: "resumed", ...rest });
  });
  // Every message type gets the one handler; the descriptor is of any protocol, so `on` is used untyped.
  const on = client.on.bind(client) as unknown as (type: string, handler: (message: unknown) => void) => void;
  for (const type of protocol.server.types) on(type, (data) => print({ event: "message", data }));

  /** The generated encoder's verdict, then (a whole `Protocol` has it) the strict check: no unknown properties. */
  const check = (message: unknown): EncodeResult | DecodeResult<unknown> => {
    const encoded = protocol.client.encode(message);
    if (!encoded.ok) return encoded;
    const strict = (protocol.client as { decodeStrict?: (frame: string) => DecodeResult<unknown> }).decodeStrict;
    const checked = strict?.(JSON.stringify(message));
    return checked && !checked.ok ? checked : encoded;
  };
  const hint = (error: EncodeError | { kind: string }): string => {
    if (error.kind !== "unknown-type" || !clientTypes) return "";
    const tag = (error as { type?: unknown }).type;
    return (typeof tag === "string" ? didYouMean(tag, clientTypes) : "") ||
      ` (a client sends: ${clientTypes.join(", ")})`;
  };
  const send = (line: string): void => {
    const parsed = parseInputLine(line, discriminator);
    if (parsed.kind === "blank") return;
    if (parsed.kind === "error") return print(refusedLineEvent(parsed.error, line));
    const checked = check(parsed.message);
    if (!checked.ok) return print(refusedMessageEvent(checked.error, line, discriminator, hint(checked.error)));
    try {
      const status = client.send(parsed.message);
      print({ event: "sent", status, data: "frame" in checked ? JSON.parse(checked.frame) : parsed.message });
    } catch (error) {
      if (error instanceof OutgoingMessageError) {
        print(refusedMessageEvent(error.detail, line, discriminator, hint(error.detail)));
      } else {
        const kind = error instanceof QueueFullError ? "queue-full" : "closed";
        print({ event: "refused", kind, reason: (error as Error).message, line });
      }
    }
  };

  const close = async (): Promise<void> => {
    closing = true;
    await client.close();
  };
  const endOfInput = async (): Promise<void> => {
    if (ending || done) return;
    ending = true;
    // Connected at least once (so that a server that cannot be reached is a failure), and what is queued went out.
    if ((opens === 0 || client.queued > 0) && !lost) {
      await Promise.race([new Promise((resolve) => client.onEvent("open", resolve, { once: true })), closedForGood]);
    }
    if ((options.wait ?? 0) > 0 && !lost) await sleep(options.wait ?? 0, closedForGood);
    await close();
    finish(lost ? exitAfter(lost) : EXIT.ok);
  };
  let signals = 0;
  const interrupt = (status: number): void => {
    // A second signal while closing: the user does not want to wait for the close handshake (up to closeTimeout).
    if (signals++ > 0) process.exit(status);
    if (done) return;
    ending = true;
    void close().then(() => finish(status));
  };
  const onSigint = () => interrupt(EXIT.interrupted);
  const onSigterm = () => interrupt(EXIT.terminated);

  function finish(status: number): void {
    if (done) return;
    done = true;
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
    if (prompt && !outputBroken) {
      clearLine(options.output, 0);
      cursorTo(options.output, 0);
    }
    lines.close();
    // A stdin still open (the server ended the session) must not keep the process alive.
    options.input.destroy();
    settle(status);
  }

  lines.on("line", (line) => {
    if (ending || done) return;
    send(line);
    if (prompt) lines.prompt();
  });
  lines.on("close", () => {
    inputClosed = true;
    void endOfInput();
  });
  // With a terminal, readline takes Ctrl-C itself; from a pipe, it is a signal.
  lines.on("SIGINT", onSigint);
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  // A reader that went away (`| head -1`): stop printing and close.
  options.output.on("error", () => {
    if (outputBroken) return;
    outputBroken = true;
    interrupt(EXIT.ok);
  });
  if (prompt) lines.prompt();
  return finished;
}

function exitAfter(close: CloseEventInfo): number {
  return close.code === 1000 ? EXIT.ok : EXIT.lost;
}

/** Waits `ms` milliseconds, or less if `until` settles first; leaves no timer behind. */
function sleep(ms: number, until: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), until.then(() => {})])
    .finally(() => clearTimeout(timer));
}
