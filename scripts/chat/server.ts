/**
 * The reference chat server: the chat room, the web page on the same port,
 * on whichever of Bun and Deno runs it; alone, or as one of several instances
 * sharing the room through Redis (the room options' cluster and names).
 */
import { CHAT_LIMITS, ChatRoom, type ChatRoomOptions } from "../../src/chat/server/room.ts";
import { buildPage, pageHandler } from "./page.ts";

/** The largest frame the server accepts by default: room for a WebRTC offer's SDP. */
export const DEFAULT_MAX_FRAME_BYTES = CHAT_LIMITS.maxFrameBytes as number;

/** How to run the reference server. */
export interface ReferenceServerOptions {
  /** @default "127.0.0.1" */
  readonly hostname?: string;
  /** @default 6502; 0 lets the operating system pick */
  readonly port?: number;
  /** The room's limits, allowed origins, cluster and names. */
  readonly room?: ChatRoomOptions;
  /** Serve the web page at `/`. @default true */
  readonly page?: boolean;
}

/** A running reference server. */
export interface ReferenceServer {
  readonly room: ChatRoom;
  /** The page: `http://host:port/`. */
  readonly url: string;
  /** The WebSocket: `ws://host:port/`. */
  readonly socketUrl: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Starts the reference chat server.
 *
 * @param options Where to listen and how strict to be.
 * @returns The running server.
 */
export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const room = new ChatRoom(options.room);
  const assets = options.page === false ? undefined : await buildPage();
  const running = await room.listen({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 6502,
    ...(assets && { fetch: pageHandler(assets) }),
  });
  const host = running.hostname.includes(":") ? `[${running.hostname}]` : running.hostname;
  return {
    room,
    url: `http://${host}:${running.port}/`,
    socketUrl: running.url,
    port: running.port,
    stop: async () => {
      await running.stop();
      await room.dispose();
    },
  };
}
