/**
 * Attacks on the reference chat server, as a hostile client would try them
 * against MDN's sample: speaking as the server, relaying big frames, storms
 * of connections that never log in, lines that are all `<`, look-alike and
 * invisible names, a full room. The server runs in a process of its own with
 * its default limits, but for the cap on connections per address (every
 * attacker here is 127.0.0.1). A room of well-behaved observers counts what
 * reaches it, and a prober says a line every 100 ms and times its echo.
 */
import process from "node:process";
import { serverRuntime } from "../../src/server/this_runtime.ts";
import { command, type ServerProcess, startServer } from "../../scripts/bench/processes.ts";
import type { Summary } from "../../scripts/bench/stats.ts";
import { latencySummary } from "./load.ts";
import { joinAsMdnClient } from "./sessions.ts";
import { type Check, checks, sleep, until, within } from "./verdict.ts";

/** How the attacks run. */
export interface AttackOptions {
  /** Logged-in clients that only listen. */
  readonly observers: number;
  /** Anonymous connections that each send one frame of a type only the server sends (or an unknown one). */
  readonly spoofs: number;
  /** Logged-in clients that each send one signalling frame above the relay limit. */
  readonly oversizeRelays: number;
  /** Connections that never log in, opened at once, then all closed. */
  readonly closeStorm: number;
  /** Connections opened and dropped at once, without a frame, at most 200 in flight. */
  readonly churn: number;
  /** Logged-in clients saying 4,096-character lines of `<` at 18 a second each (the limit is 20). */
  readonly tagAttackers: number;
  readonly tagSeconds: number;
  /** The room's `maxUsers` in the full-room attack (a server of its own). */
  readonly roomSize: number;
  /** Milliseconds after each attack before the server's memory is read again. */
  readonly settle: number;
}

/** Milliseconds, summarised, with the 99th percentile. */
export type Latency = Summary & { readonly p99: number };

/** What one attack did to the room. */
export interface AttackPhase {
  readonly name: string;
  /** Frames or connections the attackers sent or opened. */
  readonly actions: number;
  /** Frames the observers received meanwhile, by type, the prober's lines left out. */
  readonly delivered: Readonly<Record<string, number>>;
  /** Frames received per observer per attacker action. */
  readonly perAction: number;
  /** How the attackers' connections ended, by close code (`open` for none). */
  readonly attackers: Readonly<Record<string, number>>;
  /** The prober's echo time meanwhile, and lines whose echo did not come back. */
  readonly echo: Latency;
  readonly unanswered: number;
  /** Observers (and the prober) whose connection closed. */
  readonly dropped: number;
  /** The server's resident memory, in bytes: when the attack began, its highest, and `settle` ms after it ended. */
  readonly rss: { readonly before: number; readonly peak: number; readonly after: number };
  /**
   * The server's JavaScript heap in use after a forced collection, in bytes, when the attack began and `settle` ms
   * after it ended: what the program still holds, where resident memory also counts what the allocator kept.
   */
  readonly heap: { readonly before: number; readonly after: number };
  readonly seconds: number;
}

/** What the attacks measured. */
export interface AttackFigures {
  readonly observers: number;
  readonly phases: readonly AttackPhase[];
  /** Look-alikes of a present name: tried, and how many were let in under the very name asked for. */
  readonly lookAlikes: { readonly tried: number; readonly asAsked: number };
  /** Invisible or control names: tried, and how many were closed with 1008. */
  readonly badNames: { readonly tried: number; readonly refused: number };
  /** The full room: its size, what the next login got, and whether a rename and a freed place still worked. */
  readonly fullRoom: { readonly size: number; readonly next: string; readonly stillWorks: boolean };
  readonly checks: readonly Check[];
}

const LOOK_ALIKES = [
  "Observer-0",
  "OBSERVER-0",
  "\u043Ebserver-0",
  "0bserver-0",
  "observer-\u039F",
  "\u{1D428}bserver-0",
];
const BAD_NAMES = ["observer-0\u200B", "\u202Eobserver", "a\u0000b", "a\nb", "\t", " ", "\u0301\u0301", "\uD800x"];
const SPOOFS = (id: number, victim: number): readonly string[] => [
  JSON.stringify({ type: "id", id: victim }),
  JSON.stringify({ type: "userlist", users: ["<b>everyone</b>"] }),
  JSON.stringify({ type: "rejectusername", id: victim, name: "<img src=x>" }),
  JSON.stringify({ type: "username", id: victim, name: "admin", date: 1 }),
  JSON.stringify({ type: "x-typing", id, target: "" }),
  JSON.stringify({ type: "video-offer", name: "observer-0", target: "observer-1", sdp: {} }),
];

/** How much the server's collected heap may grow over one attack: compiled code, caches of the engine. */
const HEAP_SLACK = 4 * 2 ** 20;

/** Asks the server process to collect its garbage and say how much heap it uses (SIGUSR2; see chat_server.ts). */
async function heapInUse(server: ServerProcess): Promise<number> {
  const said = () => server.output().split("\n").filter((line) => line.startsWith("heap "));
  const before = said().length;
  process.kill(server.pid, "SIGUSR2");
  await until(() => said().length > before, 5_000);
  const line = said()[before];
  return line === undefined ? NaN : (JSON.parse(line.slice(5)) as { heapUsed: number }).heapUsed;
}

/** A raw connection that logs in, counts what it receives by type, and says how it ended. */
class Member {
  readonly received = new Map<string, number>();
  closed: number | undefined;
  private constructor(readonly socket: WebSocket, readonly id: number) {
    socket.addEventListener("close", (event) => (this.closed = event.code));
  }

  /** Told of every frame it receives. */
  listen: ((frame: string) => void) | undefined;

  static async join(url: string, name: string): Promise<Member> {
    const { socket, id } = await joinAsMdnClient(url, () => name);
    const member = new Member(socket, id);
    socket.onmessage = (event) => {
      const frame = String(event.data);
      member.listen?.(frame);
      const type = frame.includes('"text":"probe ') ? "probe" : /"type":"([^"]*)"/.exec(frame)?.[1] ?? "?";
      member.received.set(type, (member.received.get(type) ?? 0) + 1);
    };
    return member;
  }
}

/** A logged-in client that says `probe N` every 100 ms and times each echo. */
class Prober {
  readonly #sent = new Map<number, number>();
  #samples: number[] = [];
  #next = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  private constructor(readonly member: Member) {}

  static async join(url: string): Promise<Prober> {
    const member = await Member.join(url, "prober");
    const prober = new Prober(member);
    member.listen = (frame) => prober.heard(frame);
    await sleep(300);
    prober.#timer = setInterval(() => prober.#say(), 100);
    return prober;
  }

  /** The echo times since the last call, and lines said since then whose echo is overdue (2 s). */
  take(): { echo: Latency; unanswered: number } {
    const samples = this.#samples;
    this.#samples = [];
    const overdue = [...this.#sent.values()].filter((at) => performance.now() - at > 2_000).length;
    this.#sent.clear();
    return { echo: latencySummary(samples), unanswered: overdue };
  }

  stop(): void {
    clearInterval(this.#timer);
    this.member.socket.close();
  }

  #say(): void {
    if (this.member.socket.readyState !== WebSocket.OPEN) return;
    const n = this.#next++;
    this.#sent.set(n, performance.now());
    this.member.socket.send(JSON.stringify({ type: "message", id: this.member.id, text: `probe ${n}`, date: 1 }));
  }

  /** Times the echo of one of its lines. */
  heard(frame: string): void {
    const match = /"text":"probe (\d+)"/.exec(frame);
    const at = match && this.#sent.get(Number(match[1]));
    if (at === undefined || at === null) return;
    this.#sent.delete(Number(match![1]));
    this.#samples.push(performance.now() - at);
  }
}

/** Opens a connection that never logs in; resolves once the server's `id` came, with the socket. */
function anonymous(url: string): Promise<{ socket: WebSocket; id: number; closed: Promise<number> }> {
  const socket = new WebSocket(url, "json");
  const closed = new Promise<number>((resolve) => socket.addEventListener("close", (e) => resolve(e.code)));
  return within(
    new Promise((resolve, reject) => {
      socket.onmessage = (event) => resolve({ socket, id: JSON.parse(String(event.data)).id, closed });
      socket.onerror = () => reject(new Error("could not connect"));
    }),
    15_000,
    "an anonymous connection's id",
  );
}

/** Runs `work` on every item, `width` at a time. */
async function inBatches<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(work));
}

const count = (tally: Record<string, number>, key: string) => (tally[key] = (tally[key] ?? 0) + 1);

/**
 * Runs every attack against a server process on this runtime.
 *
 * @returns The figures, with checks.
 */
export async function runAttacks(options: AttackOptions): Promise<AttackFigures> {
  const server = await startServer(command(serverRuntime(), "scripts/bench/chat_server.ts", ["--limits", "default"]));
  const url = `ws://127.0.0.1:${server.port}/`;
  const observers: Member[] = [];
  const helpers: Member[] = [];
  let prober: Prober | undefined;
  try {
    for (let i = 0; i < options.observers; i++) observers.push(await Member.join(url, `observer-${i}`));
    prober = await Prober.join(url);
    const everyone = [...observers, prober.member];
    const phases: AttackPhase[] = [];
    const phase = async (name: string, attack: (tally: Record<string, number>) => Promise<number>) => {
      const heapBefore = await heapInUse(server);
      const before = new Map(observers.map((o) => [o, new Map(o.received)]));
      prober!.take();
      const rssBefore = server.rssBytes();
      let peak = rssBefore;
      const sampler = setInterval(() => (peak = Math.max(peak, server.rssBytes())), 100);
      const started = performance.now();
      const attackers: Record<string, number> = {};
      const actions = await attack(attackers);
      await sleep(1_000);
      const seconds = (performance.now() - started) / 1_000;
      const { echo, unanswered } = prober!.take();
      const delivered: Record<string, number> = {};
      for (const observer of observers) {
        for (const [type, n] of observer.received) {
          const added = n - (before.get(observer)?.get(type) ?? 0);
          if (type !== "probe" && added > 0) delivered[type] = (delivered[type] ?? 0) + added;
        }
      }
      await sleep(options.settle);
      clearInterval(sampler);
      const total = Object.values(delivered).reduce((a, b) => a + b, 0);
      phases.push({
        name,
        actions,
        delivered,
        perAction: actions === 0 ? 0 : total / observers.length / actions,
        attackers,
        echo,
        unanswered,
        dropped: everyone.filter((m) => m.closed !== undefined).length,
        rss: { before: rssBefore, peak, after: server.rssBytes() },
        heap: { before: heapBefore, after: await heapInUse(server) },
        seconds,
      });
    };
    await phase("quiet", () => sleep(2_000).then(() => 0));

    await phase("spoof", async (tally) => {
      const victim = observers[0]!.id;
      await inBatches(Array.from({ length: options.spoofs }, (_, i) => i), 50, async (i) => {
        const { socket, id, closed } = await anonymous(url);
        const frames = SPOOFS(id, victim);
        socket.send(frames[i % frames.length]!);
        count(tally, String(await within(closed, 10_000, "a spoofer's close").catch(() => "open")));
      });
      return options.spoofs;
    });

    const big = JSON.stringify({ type: "offer", sdp: "x".repeat(40 * 1024) });
    const relayers = await Promise.all(
      Array.from({ length: options.oversizeRelays }, (_, i) => Member.join(url, `relayer-${i}`)),
    );
    await sleep(2_000);
    await phase("oversize relay", async (tally) => {
      for (const relayer of relayers) {
        relayer.socket.send(`{"type":"video-offer","name":"x","target":"observer-0","sdp":${big}}`);
      }
      await until(() => relayers.every((r) => r.closed !== undefined), 10_000);
      for (const relayer of relayers) count(tally, String(relayer.closed ?? "open"));
      return relayers.length;
    });

    await phase("close storm", async (tally) => {
      const held: { socket: WebSocket; closed: Promise<number> }[] = [];
      await inBatches(
        Array.from({ length: options.closeStorm }),
        200,
        async () => void held.push(await anonymous(url)),
      );
      for (const { socket } of held) socket.close();
      for (const { closed } of held) count(tally, String(await within(closed, 10_000, "a close").catch(() => "open")));
      return held.length;
    });

    await phase("connect-and-drop churn", async (tally) => {
      await inBatches(Array.from({ length: options.churn }), 200, async () => {
        const socket = new WebSocket(url, "json");
        const done = new Promise<number>((resolve) => socket.addEventListener("close", (e) => resolve(e.code)));
        socket.onopen = () => socket.close();
        socket.onerror = () => {};
        count(tally, String(await within(done, 10_000, "a churned connection").catch(() => "open")));
      });
      return options.churn;
    });

    const talkers = await Promise.all(
      Array.from({ length: options.tagAttackers }, (_, i) => Member.join(url, `talker-${i}`)),
    );
    helpers.push(...talkers);
    await sleep(2_000);
    for (const [name, line] of [["ordinary lines", "a".repeat(4_096)], ["lines of <", "<".repeat(4_096)]] as const) {
      await phase(name, async (tally) => {
        let said = 0;
        const end = performance.now() + options.tagSeconds * 1_000;
        while (performance.now() < end) {
          for (const talker of talkers) {
            if (talker.socket.readyState !== WebSocket.OPEN) continue;
            talker.socket.send(JSON.stringify({ type: "message", id: talker.id, text: line, date: 1 }));
            said++;
          }
          await sleep(1_000 / 18);
        }
        for (const talker of talkers) count(tally, String(talker.closed ?? "open"));
        return said;
      });
    }

    const lookAlikes = await Promise.all(LOOK_ALIKES.map((name) => Member.join(url, name)));
    helpers.push(...lookAlikes);
    await sleep(1_000);
    // A look-alike is given the name with digits, and told so with a rejectusername.
    const asAsked = lookAlikes.filter((m) => !m.received.has("rejectusername") && m.closed === undefined);
    const badNames = await Promise.all(BAD_NAMES.map((name) => Member.join(url, name)));
    await until(() => badNames.every((m) => m.closed !== undefined), 5_000);

    const refused = badNames.filter((m) => m.closed === 1008).length;
    const fullRoom = await fillRoom(options.roomSize);
    const byName = (name: string) => phases.find((p) => p.name === name)!;
    const quiet = byName("quiet").echo.p99;
    const attacks = phases.filter((p) => p.name !== "quiet");
    const silent = ["spoof", "oversize relay", "close storm", "connect-and-drop churn"].map(byName);
    return {
      observers: options.observers,
      phases,
      lookAlikes: { tried: LOOK_ALIKES.length, asAsked: asAsked.length },
      badNames: { tried: BAD_NAMES.length, refused },
      fullRoom,
      checks: checks([
        [
          "no spoof, storm or churn delivered a frame to the room; no oversize relay reached anyone",
          silent.every((p) => p.name === "oversize relay" ? !("video-offer" in p.delivered) : p.perAction === 0),
        ],
        [
          "every spoofer was closed with 1008, every oversize relayer with 1009",
          byName("spoof").attackers["1008"] ===
            options.spoofs && byName("oversize relay").attackers["1009"] === options.oversizeRelays,
        ],
        ["no observer, nor the prober, was disconnected", attacks.every((p) => p.dropped === 0)],
        [
          "the prober's every line came back during every attack",
          attacks.every((p) => p.unanswered === 0 && p.echo.n > 0),
        ],
        [
          "lines of < cost the prober's echo no more than ordinary lines do (p99 within 2x, or under 50 ms)",
          (() => {
            const [plain, tags] = [byName("ordinary lines").echo.p99, byName("lines of <").echo.p99];
            return tags <= Math.max(2 * plain, 50, 2 * quiet);
          })(),
        ],
        ["no talker within its rate limit was refused", byName("lines of <").attackers.open === options.tagAttackers],
        ["no look-alike got the name it asked for", asAsked.length === 0],
        ["every invisible or control name was refused with 1008", refused === BAD_NAMES.length],
        [
          "a full room refused the next login with 1013; a rename and a freed place still worked",
          fullRoom.stillWorks &&
          fullRoom.next.startsWith("1013"),
        ],
        [
          `after each attack, once collected, the server's JavaScript heap came back within ${
            HEAP_SLACK / 2 ** 20
          } MiB ` +
          "of where it began: the room holds nothing of the attackers",
          phases.every((p) => p.heap.after - p.heap.before < HEAP_SLACK),
        ],
        ["the server kept running", server.running()],
      ]),
    };
  } finally {
    prober?.stop();
    for (const member of [...observers, ...helpers]) member.socket.close();
    await server.stop();
  }
}

/**
 * Fills a room of `size` (a server of its own, `maxUsers` = size), then tries one login more, a rename, and a login
 * after someone left.
 */
async function fillRoom(size: number): Promise<AttackFigures["fullRoom"]> {
  const server: ServerProcess = await startServer(
    command(serverRuntime(), "scripts/bench/chat_server.ts", ["--limits", "default", "--max-users", String(size)]),
  );
  const url = `ws://127.0.0.1:${server.port}/`;
  const members: Member[] = [];
  try {
    await inBatches(Array.from({ length: size }, (_, i) => i), 50, async (i) => {
      members.push(await Member.join(url, `user-${i}`));
    });
    await until(() => members.every((m) => m.received.has("username")), 30_000);
    const next = await Member.join(url, "one-too-many");
    await until(() => next.closed !== undefined, 5_000);
    const first = members[0]!;
    const renamed = new Promise<boolean>((resolve) => {
      first.socket.addEventListener("message", (e) => String(e.data).includes('"name":"renamed"') && resolve(true));
    });
    first.socket.send(JSON.stringify({ type: "username", id: first.id, name: "renamed", date: 1 }));
    const renameWorked = await within(renamed, 5_000, "the rename").catch(() => false);
    const leaving = members.pop()!;
    leaving.socket.close();
    await sleep(500);
    const late = await Member.join(url, "late");
    members.push(late);
    await until(() => late.received.has("username") || late.closed !== undefined, 5_000);
    return {
      size,
      next: next.closed === undefined ? "let in" : String(next.closed),
      stillWorks: renameWorked && late.closed === undefined && late.received.has("username") && server.running(),
    };
  } finally {
    for (const member of members) member.socket.close();
    await server.stop();
  }
}
