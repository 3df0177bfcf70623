/**
 * Test servers on the runtime running the test: `Bun.serve` under `bun test`,
 * `Deno.serve` under `deno test`, through typewire's own adapters, on
 * 127.0.0.1 with a port the operating system picks.
 */
import type { RunningServer, Serve, ServeOptions, ServerSocket, SocketHandlers } from "../../src/server/contract.ts";
import { loadServe } from "../../src/server/this_runtime.ts";
import { echoProtocol } from "../fixtures/generated/echo.ts";

/** What `nextEvent` listens to: a DOM `EventTarget`, or a typewire client (its `onEvent`). */
type EventSource = EventTarget | { onEvent(type: never, listener: (event: never) => void): () => void };

/**
 * Resolves when `target` dispatches `type`, or rejects after `timeout`.
 *
 * @returns The event.
 */
export function nextEvent<E = Event>(target: EventSource, type: string, timeout = 5_000): Promise<E> {
  return new Promise((resolve, reject) => {
    let stop = () => {};
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${type} event within ${timeout} ms`));
    }, timeout);
    const listener = (event: unknown) => {
      clearTimeout(timer);
      stop();
      resolve(event as E);
    };
    if ("onEvent" in target) {
      stop = (target as { onEvent(type: string, listener: (event: unknown) => void): () => void }).onEvent(
        type,
        listener,
      );
    } else {
      target.addEventListener(type, listener);
      stop = () => target.removeEventListener(type, listener);
    }
  });
}

/** A server that records what it sees and lets a test act on its connections. */
export class TestServer extends EventTarget {
  /** Open connections. */
  readonly sockets = new Set<ServerSocket>();
  /** Every connection ever accepted, in order. */
  readonly accepted: ServerSocket[] = [];
  /** Every text frame received, in order. */
  readonly frames: string[] = [];
  /** Every close seen, in order. */
  readonly closes: { code: number; reason: string }[] = [];
  #running: RunningServer | undefined;
  #port = 0;

  constructor(
    private readonly serve: Serve,
    private readonly options: ServeOptions,
    private readonly behaviour: Partial<SocketHandlers>,
  ) {
    super();
  }

  get url(): string {
    return `ws://127.0.0.1:${this.#port}/`;
  }

  get port(): number {
    return this.#port;
  }

  /** Starts listening (again, on the same port, after `stop()`). */
  async start(): Promise<void> {
    this.#running = await this.serve({ ...this.options, port: this.#port }, {
      open: (socket) => {
        this.sockets.add(socket);
        this.accepted.push(socket);
        this.behaviour.open?.(socket);
        this.dispatchEvent(new CustomEvent("open", { detail: socket }));
      },
      message: (socket, data) => {
        if (typeof data === "string") this.frames.push(data);
        this.behaviour.message?.(socket, data);
        this.dispatchEvent(new CustomEvent("frame", { detail: data }));
      },
      close: (socket, code, reason) => {
        this.sockets.delete(socket);
        this.closes.push({ code, reason });
        this.behaviour.close?.(socket, code, reason);
        this.dispatchEvent(new CustomEvent("close", { detail: { code, reason } }));
      },
    });
    this.#port = this.#running.port;
  }

  /** Closes every connection (1001) and stops listening. */
  async stop(): Promise<void> {
    await this.#running?.stop();
    this.#running = undefined;
  }

  /** Resolves with the `count`-th connection this server accepted (1 for the first). */
  async opened(count: number, timeout = 5_000): Promise<ServerSocket> {
    while (this.accepted.length < count) await nextEvent(this, "open", timeout);
    return this.accepted[count - 1] as ServerSocket;
  }

  /** Resolves once `count` connections have closed in all. */
  async closed(count: number, timeout = 5_000): Promise<{ code: number; reason: string }[]> {
    while (this.closes.length < count) await nextEvent(this, "close", timeout);
    return this.closes;
  }

  /** Resolves once `count` frames have been received in all. */
  async received(count: number, timeout = 5_000): Promise<string[]> {
    while (this.frames.length < count) await nextEvent(this, "frame", timeout);
    return this.frames;
  }
}

/** An echo server: greets each connection, echoes `say`, answers `ping` unless `silent`. */
export class EchoServer extends TestServer {
  /** When set, the server reads frames but answers nothing (a peer that stopped responding). */
  silent = false;
  #sessions = 0;

  constructor(serve: Serve, options: ServeOptions = {}) {
    super(serve, { selectProtocol: (offered) => offered.find((p) => p === "echo.v1"), ...options }, {
      open: (socket) => send(socket, { type: "hello", session: ++this.#sessions }),
      message: (socket, data) => {
        if (this.silent || typeof data !== "string") return;
        const decoded = echoProtocol.client.decode(data);
        if (!decoded.ok) return;
        const message = decoded.value;
        if (message.type === "say") send(socket, { type: "echo", seq: message.seq, text: message.text });
        else send(socket, { type: "pong", seq: message.seq });
      },
    });
  }
}

function send(socket: ServerSocket, message: Parameters<typeof echoProtocol.server.encode>[0]): void {
  const encoded = echoProtocol.server.encode(message);
  if (!encoded.ok) throw new Error(encoded.error.message);
  socket.send(encoded.frame);
}

/** Starts an echo server on this runtime. */
export async function startEchoServer(options: ServeOptions = {}): Promise<EchoServer> {
  const server = new EchoServer(await loadServe(), options);
  await server.start();
  return server;
}

/** A port where nothing listens (one a server just gave back). */
export async function freePort(): Promise<number> {
  const server = await startEchoServer();
  const port = server.port;
  await server.stop();
  return port;
}
