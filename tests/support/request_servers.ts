/**
 * Typed servers that answer requests, one per fixture protocol (rooms from
 * TypeScript, counters from JSON Schema, jobs from AsyncAPI), so that the
 * request tests run them in the test's own runtime and on real Node.js
 * (`tests/node/request_server.ts`).
 *
 * The rooms server's `create-room` takes commands in the room's name:
 * `taken` (returns the error reply), `thrown` (throws a `ReplyError`), `crash`
 * (throws an Error: `errorReply` maps it when the scenario says so), `slow-<ms>-<x>`
 * (answers after a delay), `drop` (closes the connection instead), `flaky-<x>`
 * (closes it the first time, answers the second), `bad-reply` (sends an
 * invalid reply first), `wrong-reply` (sends a reply of the wrong type
 * first). `list-members` answers after the number of milliseconds in its room's
 * name (`d-<ms>-<x>`), with the room's name and the request's correlation
 * value, and room `seen` lists every room name this connection asked to
 * create. `say` with text `ask:<n>:<ms>` makes the server ask the client
 * `here?` n times at once, each waiting at most ms, and report the outcomes as a
 * `said` line (`ok=<n> timeout=<n> ...`).
 */
import { createServer, type ListeningServer } from "../../src/server/typed_server.ts";
import type { Serve } from "../../src/server/contract.ts";
import type { Limits } from "../../src/server/policy.ts";
import { ReplyError } from "../../src/runtime/request_errors.ts";
import { roomsProtocol } from "../fixtures/generated/rooms.ts";
import { countersProtocol } from "../fixtures/generated/counters.ts";
import { jobsProtocol } from "../fixtures/generated/jobs.ts";

/** How a request server behaves. */
export interface RequestScenario {
  readonly protocol: "rooms" | "counters" | "jobs";
  readonly limits?: Limits;
  /** The server's `requestTimeout`. */
  readonly requestTimeout?: number;
  /** Whether `errorReply` turns a thrown Error into a `refused` reply. */
  readonly errorReply?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a request server.
 *
 * @param scenario Which protocol, and how.
 * @param serve The adapter. @default this runtime's
 * @returns The listening server.
 */
export function startRequestServer(scenario: RequestScenario, serve?: Serve): Promise<ListeningServer> {
  const limits = { framesPerSecond: 1_000_000, burst: 1_000_000, ...scenario.limits };
  if (scenario.protocol === "counters") return startCounters(limits, serve);
  if (scenario.protocol === "jobs") return startJobs(limits, serve);
  return startRooms(scenario, limits, serve);
}

function startRooms(scenario: RequestScenario, limits: Limits, serve?: Serve): Promise<ListeningServer> {
  const flaky = new Set<string>();
  let rooms = 0;
  const server = createServer(roomsProtocol, {
    limits,
    ...(scenario.requestTimeout !== undefined && { requestTimeout: scenario.requestTimeout }),
    upgrade: () => ({ created: [] as string[] }),
    ...(scenario.errorReply && {
      errorReply: (error: unknown) => ({ type: "refused" as const, reason: `failed: ${(error as Error).message}` }),
    }),
    handlers: {
      async "create-room"({ name, request }, conn) {
        conn.data.created.push(name);
        if (name === "taken") return { type: "refused", reason: "that name is taken" };
        if (name === "thrown") throw new ReplyError({ type: "refused", reason: "thrown refusal" });
        if (name === "crash") throw new Error("the database is down");
        if (name === "drop") {
          conn.close(4000, "dropped on purpose");
          return await new Promise<never>(() => {});
        }
        if (name.startsWith("flaky-") && !flaky.has(name)) {
          flaky.add(name);
          conn.close(4000, "dropped once");
          return await new Promise<never>(() => {});
        }
        if (name === "bad-reply") conn.sendFrame(JSON.stringify({ type: "room-created", request, room: name }));
        if (name === "wrong-reply") conn.sendFrame(JSON.stringify({ type: "members", request, names: [] }));
        const slow = /^slow-(\d+)-/.exec(name);
        if (slow) await sleep(Number(slow[1]));
        return { type: "room-created", room: name, id: ++rooms };
      },
      "list-members"({ room, request }, conn) {
        if (room === "seen") return { type: "members", names: conn.data.created };
        const delay = /^d-(\d+)-/.exec(room);
        const names = [room, String(request)];
        if (!delay) return { type: "members", names };
        return sleep(Number(delay[1])).then(() => ({ type: "members" as const, names }));
      },
      async say({ room, text }, conn): Promise<void> {
        const ask = /^ask:(\d+):(\d+)$/.exec(text);
        if (!ask) return server.publish(room, { type: "said", room, text });
        const outcomes = await Promise.allSettled(
          Array.from({ length: Number(ask[1]) }, () => conn.request({ type: "here?" }, { timeout: Number(ask[2]) })),
        );
        const counts = new Map<string, number>();
        for (const outcome of outcomes) {
          const kind = outcome.status === "fulfilled"
            ? outcome.value.type === "here" ? "ok" : "wrong"
            : server.isRequestError(outcome.reason, "here?")
            ? outcome.reason.kind
            : String(outcome.reason);
          counts.set(kind, (counts.get(kind) ?? 0) + 1);
        }
        const line = [...counts].sort().map(([kind, n]) => `${kind}=${n}`).join(" ");
        if (conn.isOpen) conn.send({ type: "said", room, text: line });
      },
    },
  });
  return server.listen({}, serve);
}

function startCounters(limits: Limits, serve?: Serve): Promise<ListeningServer> {
  const counters = new Map<string, number>([["visits", 0]]);
  const server = createServer(countersProtocol, {
    limits,
    handlers: {
      get({ name }) {
        const value = counters.get(name);
        return value === undefined ? { op: "no-such-counter", name } : { op: "value", name, value };
      },
      bump({ name, by }) {
        const value = (counters.get(name) ?? 0) + by;
        counters.set(name, value);
        server.broadcast({ op: "changed", name, value });
        return { op: "value", name, value };
      },
    },
  });
  return server.listen({}, serve);
}

function startJobs(limits: Limits, serve?: Serve): Promise<ListeningServer> {
  const jobs = new Map<string, number>();
  const server = createServer(jobsProtocol, {
    limits,
    handlers: {
      submit({ job }, conn) {
        jobs.set(job, 0);
        conn.send({ kind: "accepted", job, position: jobs.size });
      },
      cancel({ job }) {
        jobs.delete(job);
      },
      status({ job }) {
        const percent = jobs.get(job);
        return percent === undefined ? { kind: "unknown-job", job } : { kind: "report", job, state: "queued", percent };
      },
    },
  });
  return server.listen({}, serve);
}
