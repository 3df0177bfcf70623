/**
 * Protocols that are not chat, end to end on the runtime running the test:
 * a market ticker from a JSON Schema 2020-12 document (told apart by `op`),
 * and a job queue from an AsyncAPI 3 document (told apart by `kind`, as the
 * document's payloads say). Each runs a server on this runtime's adapter,
 * typed by the generated module, and typewire's client against it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, messagesOf, nextMessage } from "../src/client/mod.ts";
import { loadServe } from "../src/server/this_runtime.ts";
import type { RunningServer, ServerSocket } from "../src/server/contract.ts";
import { jobsProtocol, type JobsServerMessage } from "./fixtures/generated/jobs.ts";
import { tickerProtocol, type TickerServerMessage } from "./fixtures/generated/ticker.ts";

/** A ticker server: subscriptions per socket, a tick for each subscribed symbol on every `tick()`. */
async function startTickerServer(): Promise<RunningServer & { tick(): void }> {
  const serve = await loadServe();
  const subscriptions = new Map<ServerSocket, Set<string>>();
  const send = (socket: ServerSocket, message: TickerServerMessage) => {
    const encoded = tickerProtocol.server.encode(message);
    if (!encoded.ok) throw new Error(encoded.error.message);
    socket.send(encoded.frame);
  };
  const server = await serve({ port: 0, selectProtocol: (offered) => offered.find((p) => p === "ticker.v1") }, {
    open: (socket) => subscriptions.set(socket, new Set()),
    close: (socket) => subscriptions.delete(socket),
    message(socket, frame) {
      const decoded = tickerProtocol.client.decodeStrict(String(frame));
      if (!decoded.ok) {
        send(socket, { op: "error", code: 400, message: decoded.error.message.slice(0, 200) });
        return;
      }
      const mine = subscriptions.get(socket) as Set<string>;
      tickerProtocol.client.dispatch({
        subscribe: ({ symbols }) => {
          for (const symbol of symbols) {
            if (symbol === "GONE") send(socket, { op: "error", code: 404, message: "no such symbol", symbol });
            else mine.add(symbol);
          }
          send(socket, { op: "subscribed", symbols: [...mine] });
        },
        unsubscribe: ({ symbols }) => {
          for (const symbol of symbols) mine.delete(symbol);
          send(socket, { op: "subscribed", symbols: [...mine] });
        },
      }, decoded.value);
    },
  });
  let price = 100;
  return {
    ...server,
    stop: () => server.stop(),
    tick() {
      price += 0.25;
      for (const [socket, symbols] of subscriptions) {
        for (const symbol of symbols) send(socket, { op: "tick", symbol, price, size: 10, time: Date.now() });
      }
    },
  };
}

test("ticker (JSON Schema 2020-12, discriminated by op): subscribe, ticks, errors, unsubscribe", async () => {
  const server = await startTickerServer();
  const client = connect(tickerProtocol, server.url, { reconnect: false });
  try {
    const errors: string[] = [];
    client.on("error", (m) => errors.push(`${m.code} ${m.symbol ?? ""}`));
    const subscribed = nextMessage(client, "subscribed", { timeout: 5_000 });
    client.send({ op: "subscribe", symbols: ["ACME", "GONE", "WIDG"] });
    assert.deepEqual((await subscribed).symbols, ["ACME", "WIDG"]);
    assert.equal(client.protocol, "ticker.v1");
    assert.deepEqual(errors, ["404 GONE"]);

    const ticks = messagesOf(client, "tick");
    server.tick();
    server.tick();
    const seen: string[] = [];
    for await (const tick of ticks) {
      assert.ok(tick.price > 100 && Number.isInteger(tick.size));
      seen.push(`${tick.symbol}@${tick.price}`);
      if (seen.length === 4) break;
    }
    assert.deepEqual(seen, ["ACME@100.25", "WIDG@100.25", "ACME@100.5", "WIDG@100.5"]);

    const after = nextMessage(client, "subscribed", { timeout: 5_000 });
    client.send({ op: "unsubscribe", symbols: ["ACME"] });
    assert.deepEqual((await after).symbols, ["WIDG"]);
    // A symbol the schema refuses never leaves the client.
    assert.throws(() => client.send({ op: "subscribe", symbols: ["lowercase"] }), /\/symbols\/0/);
  } finally {
    await client.close();
    await server.stop();
  }
});

/** A job queue server: accepts a job, reports progress, finishes it; a cancelled job fails. */
async function startJobsServer(): Promise<RunningServer> {
  const serve = await loadServe();
  const send = (socket: ServerSocket, message: JobsServerMessage) => {
    const encoded = jobsProtocol.server.encode(message);
    if (!encoded.ok) throw new Error(encoded.error.message);
    socket.send(encoded.frame);
  };
  let queued = 0;
  return await serve({ port: 0, selectProtocol: (offered) => offered.find((p) => p === "jobs.v1") }, {
    message(socket, frame) {
      const decoded = jobsProtocol.client.decode(String(frame));
      if (!decoded.ok) {
        socket.close(1008, decoded.error.message.slice(0, 120));
        return;
      }
      jobsProtocol.client.dispatch({
        submit: ({ job, task, input }) => {
          send(socket, { kind: "accepted", job, position: queued++ });
          send(socket, { kind: "progress", job, percent: 50 });
          send(socket, { kind: "done", job, result: `${task}(${input})` });
        },
        cancel: ({ job }) => send(socket, { kind: "failed", job, reason: "cancelled" }),
        status: ({ request, job }) =>
          send(
            socket,
            job === "job-1"
              ? { kind: "report", request, job, state: "done", percent: 100 }
              : { kind: "unknown-job", request, job },
          ),
      }, decoded.value);
    },
  });
}

test("jobs (AsyncAPI 3, discriminated by kind): submit, progress, done; cancel fails the job; status is answered", async () => {
  const server = await startJobsServer();
  const updates: string[] = [];
  const client = connect(jobsProtocol, server.url, {
    reconnect: false,
    handlers: {
      accepted: (m) => updates.push(`accepted ${m.job} #${m.position}`),
      progress: (m) => updates.push(`progress ${m.job} ${m.percent}%`),
      done: (m) => updates.push(`done ${m.job} ${m.result}`),
      failed: (m) => updates.push(`failed ${m.job} ${m.reason}`),
      report: (m) => updates.push(`report #${m.request} ${m.job} ${m.state}`),
      "unknown-job": (m) => updates.push(`unknown-job #${m.request} ${m.job}`),
    },
  });
  try {
    const done = nextMessage(client, "done", { timeout: 5_000 });
    client.send({ kind: "submit", job: "job-1", task: "resize", input: "cat.png", priority: 3 });
    await done;
    const failed = nextMessage(client, "failed", { timeout: 5_000 });
    client.send({ kind: "cancel", job: "job-2" });
    await failed;
    // The status request and its answers, paired by hand until the client's request() exists.
    const answered = nextMessage(client, "unknown-job", { timeout: 5_000 });
    client.send({ kind: "status", request: 1, job: "job-1" });
    client.send({ kind: "status", request: 2, job: "job-9" });
    await answered;
    assert.deepEqual(updates, [
      "accepted job-1 #0",
      "progress job-1 50%",
      "done job-1 resize(cat.png)",
      "failed job-2 cancelled",
      "report #1 job-1 done",
      "unknown-job #2 job-9",
    ]);
    assert.equal(client.protocol, "jobs.v1");
    assert.throws(
      () => client.send({ kind: "submit", job: "job-3", task: "paint" as "resize", input: "" }),
      /\/task/,
      "a task outside the enum is refused before sending",
    );
  } finally {
    await client.close();
    await server.stop();
  }
});
