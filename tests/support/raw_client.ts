/**
 * A plain WebSocket client for server tests: it sends exactly the bytes a
 * test gives it and records every frame, so a test can check a server's
 * output frame by frame, in order, the way MDN's own client would see it.
 */

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
