/**
 * A plain WebSocket client for server tests: it sends exactly the bytes a
 * test gives it and records every frame, so a test can check a server's
 * output frame by frame, in order, the way MDN's own client would see it.
 */
import net from "node:net";

/** A frame as a test reads it: the text, and its JSON when it parses. */
export interface Frame {
  readonly text: string;
  // deno-lint-ignore no-explicit-any -- tests read any field of what a server sent
  readonly json: any;
}

export class RawClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #cursor = 0;
  #wake: (() => void) | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.onmessage = (event) => {
      const text = String(event.data);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      this.frames.push({ text, json });
      this.#wake?.();
    };
    this.closed = new Promise((resolve) => {
      socket.onclose = (event) => {
        resolve({ code: event.code, reason: event.reason });
        this.#wake?.();
      };
    });
  }

  /** Opens a connection; rejects when it fails. */
  static open(url: string, protocols: string | string[] = ["json"]): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, protocols);
      const client = new RawClient(socket);
      socket.onopen = () => resolve(client);
      socket.onerror = () => reject(new Error(`could not connect to ${url}`));
    });
  }

  /** Sends a string or bytes as they are, anything else as JSON. */
  send(value: unknown): void {
    this.socket.send(typeof value === "string" || value instanceof Uint8Array ? value : JSON.stringify(value));
  }

  /** The next frame not read yet (optionally the next matching one, skipping others). */
  // deno-lint-ignore no-explicit-any -- see Frame.json
  async next(match: (json: any) => boolean = () => true, timeout = 5_000): Promise<Frame> {
    const deadline = Date.now() + timeout;
    for (;;) {
      while (this.#cursor < this.frames.length) {
        const frame = this.frames[this.#cursor++] as Frame;
        if (match(frame.json)) return frame;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.socket.readyState === WebSocket.CLOSED) {
        const seen = this.frames.slice(-3).map((f) => f.text.slice(0, 120)).join(" | ");
        const state = this.socket.readyState === WebSocket.CLOSED ? "the socket closed" : `not within ${timeout} ms`;
        throw new Error(`no matching frame: ${state}; ${this.frames.length} frames, the last: ${seen}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Reads frames up to and including the next `username` broadcast with this id (a finished login). */
  async loggedIn(id: number): Promise<Frame[]> {
    const start = this.#cursor;
    await this.next((m) => m?.type === "username" && m.id === id);
    return this.frames.slice(start, this.#cursor);
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * A raw TCP connection that completed the upgrade and then does whatever the test says (nothing, by default): it is
 * returned paused, holding what the server sent after its answer.
 */
export async function rawUpgraded(port: number, path = "/", protocol = "echo.v1"): Promise<net.Socket> {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  const lines = Object.entries({
    host: "127.0.0.1",
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    "sec-websocket-version": "13",
    "sec-websocket-protocol": protocol,
  });
  socket.write(`GET ${path} HTTP/1.1\r\n${lines.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`);
  const answer = await new Promise<Buffer>((resolve) => socket.once("data", resolve));
  // Paused, with any frame that came in the same chunk as the answer put back for whoever reads next.
  socket.pause();
  const end = answer.indexOf("\r\n\r\n");
  if (end >= 0 && end + 4 < answer.length) socket.unshift(answer.subarray(end + 4));
  return socket;
}

/**
 * The close frame a server sends on a raw upgraded connection, read off the wire: what the peer is told, when it is
 * sent, whenever the runtime ends the TCP connection after it (workerd may take seconds).
 *
 * @param socket A connection from {@link rawUpgraded}.
 * @param timeout How long to wait, in ms.
 */
export function closeFrame(socket: net.Socket, timeout = 5_000): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    let bytes = Buffer.alloc(0);
    const timer = setTimeout(() => reject(new Error(`no close frame within ${timeout} ms`)), timeout);
    const onData = (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      // Server frames are unmasked: opcode, then a 7-bit length, or 126 and 16 bits, or 127 and 64 bits.
      for (let at = 0; at + 2 <= bytes.length;) {
        const opcode = (bytes[at] as number) & 0x0f;
        let length = (bytes[at + 1] as number) & 0x7f;
        let start = at + 2;
        if (length === 126) [length, start] = [bytes.readUInt16BE(at + 2), at + 4];
        else if (length === 127) [length, start] = [Number(bytes.readBigUInt64BE(at + 2)), at + 10];
        if (start + length > bytes.length) return;
        if (opcode === 8) {
          clearTimeout(timer);
          socket.off("data", onData);
          const payload = bytes.subarray(start, start + length);
          return resolve({
            code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005,
            reason: payload.subarray(2).toString("utf8"),
          });
        }
        at = start + length;
      }
    };
    socket.on("data", onData);
    socket.resume();
  });
}
