/**
 * The smallest WebSocket client the server benchmarks need, on plain TCP
 * (`node:net`): the opening handshake, then the server's frames read in bulk
 * and handed over as byte ranges, never as strings or events. Thousands of
 * them cost a client process far less per frame than the standard WebSocket
 * does, so a benchmark's throughput is the server's, not the client's. Pings
 * are answered; client frames are masked with a zero key (which changes no
 * byte), as RFC 6455 asks.
 */
import { Buffer } from "node:buffer";
import { connect, type Socket } from "node:net";

/** A text frame's payload, `bytes[start..end)` (valid only during the call), and the connection it came on. */
export type TextHandler = (bytes: Uint8Array, start: number, end: number, ws: TcpWebSocket) => void;

/** An open connection. */
export interface TcpWebSocket {
  readonly socket: Socket;
  /** Sends a short text frame (under 126 bytes). */
  sendText(text: string): void;
}

function clientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(6 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | payload.length;
  frame.set(payload, 6);
  return frame;
}

/**
 * Opens a WebSocket connection on plain TCP.
 *
 * @param port The server's port on 127.0.0.1.
 * @param path The request's path and query.
 * @param onText Called for every text frame the server sends.
 * @param onClose Called once the connection has closed, from either side.
 * @returns The connection, once the server has answered 101.
 */
export function openTcpWebSocket(
  port: number,
  path: string,
  onText: TextHandler,
  onClose: () => void = () => {},
): Promise<TcpWebSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    const ws: TcpWebSocket = { socket, sendText: (text) => void socket.write(clientFrame(0x1, Buffer.from(text))) };
    let upgraded = false;
    let pending = new Uint8Array(0);
    socket.on("error", reject);
    socket.on("close", onClose);
    socket.on("connect", () => {
      const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on("data", (chunk: Uint8Array) => {
      let bytes = chunk;
      if (pending.length > 0) {
        bytes = new Uint8Array(pending.length + chunk.length);
        bytes.set(pending);
        bytes.set(chunk, pending.length);
      }
      let offset = 0;
      if (!upgraded) {
        const head = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf("\r\n\r\n");
        if (head === -1) {
          pending = bytes.slice();
          return;
        }
        const status = Buffer.from(bytes.subarray(0, head)).toString("latin1").split("\r\n")[0] ?? "";
        if (!status.startsWith("HTTP/1.1 101")) {
          socket.destroy();
          return reject(new Error(`upgrade refused: ${status}`));
        }
        upgraded = true;
        offset = head + 4;
        resolve(ws);
      }
      while (bytes.length - offset >= 2) {
        const opcode = (bytes[offset] as number) & 0x0f;
        let length = (bytes[offset + 1] as number) & 0x7f;
        let header = 2;
        if (length === 126) {
          if (bytes.length - offset < 4) break;
          length = ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number);
          header = 4;
        } else if (length === 127) {
          if (bytes.length - offset < 10) break;
          length = Number(new DataView(bytes.buffer, bytes.byteOffset + offset + 2, 8).getBigUint64(0));
          header = 10;
        }
        if (bytes.length - offset < header + length) break;
        const start = offset + header;
        offset = start + length;
        if (opcode === 0x1) onText(bytes, start, offset, ws);
        else if (opcode === 0x9) socket.write(clientFrame(0xa, bytes.slice(start, offset)));
        else if (opcode === 0x8) socket.end();
      }
      pending = offset === bytes.length ? new Uint8Array(0) : bytes.slice(offset);
    });
  });
}
