/**
 * One hibernatable WebSocket of a Durable Object, as the socket contract
 * sees it. Its state lives in the socket's attachment; the topics it was
 * accepted with are its tags (published through `getWebSockets(tag)`), the
 * ones it subscribed to later are kept in the attachment.
 *
 * @module
 */
import type { KeptState, ServerSocket } from "../contract.ts";
import { type ClosedWith, closeReason } from "../close_reason.ts";
import type { TopicRegistry } from "../topics.ts";
import { type Accepted, writeAttachment } from "./attachment.ts";
import type { HibernatableWebSocket } from "./workerd.ts";

/** A WebSocket's `readyState` when open. */
const OPEN = 1;

/** What the sockets of one object share. */
export interface SocketsOf {
  /** Topics subscribed after the upgrade (not tags), by socket. */
  readonly topics: TopicRegistry<DurableSocket>;
  /** Milliseconds a peer has to answer a close frame before the server forgets it. */
  readonly closeTimeout: number;
  /** Forgets a socket whose peer did not answer the close frame in time (workerd cannot cut its connection). */
  forget(socket: DurableSocket): void;
}

/** A Durable Object's WebSocket as the typed server sees it. */
export class DurableSocket implements ServerSocket {
  /** Set when the server closes it: what its close handler is told. */
  closedWith: ClosedWith | undefined = undefined;
  /** Set once its close handler ran. */
  closed = false;
  /** Tags it no longer listens to (tags cannot be taken off a socket). */
  muted: Set<string> | undefined = undefined;
  readonly protocol: string;
  readonly origin: string | undefined;
  readonly remoteAddress: string;

  /**
   * @param ws The socket.
   * @param accepted What it was accepted with.
   * @param data The connection's data.
   * @param openTopics Its tags: the topics it opened with.
   * @param shared What every socket of the object shares.
   * @param kept Its state, when it is restored after hibernation.
   */
  constructor(
    readonly ws: HibernatableWebSocket,
    accepted: Accepted,
    readonly data: unknown,
    readonly openTopics: readonly string[],
    private readonly shared: SocketsOf,
    readonly kept?: KeptState,
  ) {
    this.protocol = accepted.protocol;
    this.origin = accepted.origin;
    this.remoteAddress = accepted.remoteAddress;
  }

  /** workerd does not say how much it has not written yet. */
  get bufferedAmount(): number {
    return 0;
  }

  send(frame: string): boolean {
    if (this.closed || this.closedWith !== undefined || this.ws.readyState !== OPEN) return false;
    this.ws.send(frame);
    return true;
  }

  close(code?: number, reason?: string): void {
    if (this.closed || this.closedWith !== undefined) return;
    this.closedWith = { code: code ?? 1005, reason: reason === undefined ? "" : closeReason(reason) };
    try {
      this.ws.close(code, reason === undefined ? undefined : this.closedWith.reason);
    } catch {
      // Closed by the peer meanwhile: its close event follows.
    }
    const { closeTimeout } = this.shared;
    if (closeTimeout > 0) setTimeout(() => this.shared.forget(this), closeTimeout);
  }

  subscribe(topic: string): void {
    if (this.openTopics.includes(topic)) this.muted?.delete(topic);
    else this.shared.topics.subscribe(this, topic);
  }

  unsubscribe(topic: string): void {
    if (this.openTopics.includes(topic)) (this.muted ??= new Set()).add(topic);
    else this.shared.topics.unsubscribe(this, topic);
  }

  /** Whether a frame published to `topic` through its tag reaches it. */
  hears(topic: string): boolean {
    return this.muted?.has(topic) !== true;
  }

  keep(state: KeptState): void {
    writeAttachment(this.ws, {
      ...state,
      protocol: this.protocol,
      origin: this.origin,
      remoteAddress: this.remoteAddress,
    });
  }
}
