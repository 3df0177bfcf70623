/**
 * A connection's state in its WebSocket's attachment, where it survives the
 * Durable Object's hibernation: what the typed server keeps (`KeptState`)
 * and what the socket was accepted with.
 *
 * @module
 */
import type { KeptState } from "../contract.ts";
import type { HibernatableWebSocket } from "./workerd.ts";

/** The attachment's layout version: an attachment of another (an older deployment's) is not read. */
const VERSION = 1;

/** workerd's limit on an attachment, in bytes of its structured clone. */
export const MAX_ATTACHMENT_BYTES = 16_384;

/** What the socket was accepted with. */
export interface Accepted {
  readonly protocol: string;
  readonly origin: string | undefined;
  readonly remoteAddress: string;
}

/** Everything an attachment holds. */
export interface Attachment extends KeptState, Accepted {}

interface Stored extends Attachment {
  readonly v: typeof VERSION;
}

/**
 * Thrown when a connection's state cannot be kept in its attachment: too big (workerd keeps 16 KiB at most), or not
 * structured-cloneable (a function in `conn.data`). The typed server closes that connection with 1011 and tells
 * `onError`.
 */
export class AttachmentRefused extends Error {
  constructor(id: number, cause: unknown) {
    const detail = String((cause as Error)?.message ?? cause);
    const size = /was (\d+) bytes/.exec(detail)?.[1];
    super(
      size === undefined
        ? `connection ${id}: its state cannot be kept through hibernation (the WebSocket attachment): ${detail}`
        : `connection ${id}: conn.data and its topics take ${size} bytes, over the ${MAX_ATTACHMENT_BYTES} a ` +
          "Durable Object keeps with a WebSocket through hibernation: keep large state in ctx.storage and its key " +
          "in conn.data",
      { cause },
    );
    this.name = "AttachmentRefused";
  }
}

/**
 * Stores a connection's state with its socket.
 *
 * @throws {AttachmentRefused} When workerd refuses it.
 */
export function writeAttachment(ws: HibernatableWebSocket, attachment: Attachment): void {
  const stored: Stored = { v: VERSION, ...attachment };
  try {
    ws.serializeAttachment(stored);
  } catch (error) {
    throw new AttachmentRefused(attachment.id, error);
  }
}

/**
 * The state stored with a socket.
 *
 * @returns It, or `undefined` when there is none of this layout (the socket was accepted by code that did not store
 * one, or by another version).
 */
export function readAttachment(ws: HibernatableWebSocket): Attachment | undefined {
  const stored = ws.deserializeAttachment() as Partial<Stored> | null;
  if (stored === null || typeof stored !== "object" || stored.v !== VERSION) return undefined;
  const { v: _, ...attachment } = stored as Stored;
  return attachment;
}
