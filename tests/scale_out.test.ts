/**
 * Scale-out: reference server instances, on Bun and on Deno mixed, sharing
 * one room through Redis. Clients on different instances must see one room,
 * exactly as on one server; an instance's death and Redis restarting must be
 * survived, and what they cost counted.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ChatSession } from "../src/chat/mod.ts";
import { command, type Runtime, type ServerProcess, startServer } from "../scripts/bench/processes.ts";
import { startRedis } from "../scripts/bench/redis_server.ts";
import { closeAll, joinAsMdnClient, joinSessions } from "./reliability/sessions.ts";
import { sleep, until, within } from "./reliability/verdict.ts";

const HERE: Runtime = "Bun" in globalThis ? "bun" : "deno";
const OTHER: Runtime = HERE === "bun" ? "deno" : "bun";

/** The bound on a dead instance's users leaving every list: heartbeat (1 s) + liveness timeout (3 s), with slack. */
const VANISH_BOUND_MS = 5_000;

function startInstance(runtime: Runtime, redis: string): Promise<ServerProcess> {
  return startServer(command(runtime, "scripts/bench/chat_server.ts", ["--limits", "default", "--redis", redis]));
}

/** Starts instances on the runtimes given, all on one Redis; returns them and a way to stop everything. */
async function cluster(runtimes: readonly Runtime[]) {
  const redis = await startRedis();
  const instances: ServerProcess[] = [];
  try {
    for (const runtime of runtimes) instances.push(await startInstance(runtime, redis.url));
  } catch (error) {
    await Promise.all(instances.map((i) => i.kill()));
    await redis.stop();
    throw error;
  }
  const url = (i: number) => `ws://127.0.0.1:${(instances[i] as ServerProcess).port}`;
  const stop = async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await redis.stop();
  };
  return { redis, instances, url, stop };
}

const sameUsers = (sessions: readonly ChatSession[], expected: readonly string[]) =>
  sessions.every((s) => s.users.length === expected.length && expected.every((name) => s.users.includes(name)));

test("clients on three instances (Bun and Deno) see one room: users, lines in one order, names unique", async () => {
  const { url, stop } = await cluster([HERE, OTHER, HERE]);
  const sessions: ChatSession[] = [];
  try {
    const names = ["a0", "b0", "c0", "a1", "b1", "c1"];
    for (const [i, name] of names.entries()) sessions.push(...await joinSessions(url(i % 3), [name]));
    assert.ok(await until(() => sameUsers(sessions, names), 10_000), "every session sees all six users");
    const order = sessions[0]?.users.join();
    assert.ok(sessions.every((s) => s.users.join() === order), "in the same order everywhere");

    const heard = sessions.map(() => [] as string[]);
    sessions.forEach((s, i) => s.onLine((line) => heard[i]?.push(`${line.name}:${line.text}`)));
    for (let round = 0; round < 5; round++) for (const s of sessions) s.say(`line ${round}`);
    assert.ok(await until(() => heard.every((h) => h.length === 30), 10_000), `every session hears all 30 lines`);
    assert.ok(heard.every((h) => h.join() === heard[0]?.join()), "every session hears them in the same order");

    const twins = await Promise.all([0, 1, 2].map((i) => joinSessions(url(i), ["twin"]).then(([s]) => s!)));
    sessions.push(...twins);
    assert.equal(new Set(twins.map((t) => t.name)).size, 3, `three unique names: ${twins.map((t) => t.name)}`);
    assert.ok(twins.some((t) => t.name === "twin"), "one of them got the name asked for");
    // Look-alikes of a name held on another instance: Cyrillic capitals, another case. Each gets digits appended.
    for (const [i, name] of [[1, "\u0422win"], [2, "TWIN"]] as const) {
      const [lookAlike] = await joinSessions(url(i), [name]);
      sessions.push(lookAlike!);
      twins.push(lookAlike!);
      assert.match(lookAlike!.name, new RegExp(`^${name}\\d+$`), `${name} is twin's look-alike: ${lookAlike!.name}`);
    }
    const all = [...names, ...twins.map((t) => t.name)];
    assert.ok(await until(() => sameUsers(sessions, all), 10_000), "every list shows all of them");

    // A name with the envelope's separator in it: the relay must still find its target.
    const callee = await joinAsMdnClient(url(2), () => "callee,2");
    const caller = await joinAsMdnClient(url(0), () => "caller");
    const loggedIn = () => ["callee,2", "caller"].every((name) => sessions[0]?.users.includes(name));
    assert.ok(await until(loggedIn, 10_000), "both raw clients logged in");
    const relayed = new Promise<string>((resolve) => {
      callee.socket.onmessage = (event) => String(event.data).includes("hang-up") && resolve(String(event.data));
    });
    caller.socket.send(JSON.stringify({ type: "hang-up", name: "caller", target: "callee,2" }));
    assert.deepEqual(JSON.parse(await within(relayed, 5_000, "the relay to another instance")), {
      type: "hang-up",
      name: "caller",
      target: "callee,2",
    });
    callee.socket.close();
    caller.socket.close();

    // Renames in a burst: each waits for the one before, so the last name is the one held, and no other is left over.
    const renamer = await joinAsMdnClient(url(0), () => "r-ann");
    for (const name of ["r-bob", "r-carol"]) {
      renamer.socket.send(JSON.stringify({ type: "username", id: renamer.id, name, date: Date.now() }));
    }
    renamer.socket.send(JSON.stringify({ type: "message", id: renamer.id, text: "after renames", date: Date.now() }));
    const said = await within(
      new Promise<string>((resolve) =>
        sessions[2]?.onLine((line) => line.text === "after renames" && resolve(line.name))
      ),
      5_000,
      "the renamer's line",
    );
    assert.equal(said, "r-carol", "the line went out under the last name asked for");
    assert.ok(
      await until(() => sameUsers(sessions, [...all, "r-carol"]), 10_000),
      "only the last name is in the lists",
    );
    renamer.socket.close();
    assert.ok(await until(() => sameUsers(sessions, all), 10_000), "and it leaves with the client");

    await sessions[1]?.close();
    const left = all.filter((name) => name !== "b0");
    const staying = sessions.filter((_, i) => i !== 1);
    assert.ok(await until(() => sameUsers(staying, left), 10_000), "a client that leaves leaves every list");
  } finally {
    await closeAll(sessions);
    await stop();
  }
});

test("an instance that dies: its users leave every list within the bound, its clients log in elsewhere", async () => {
  const { instances, url, stop } = await cluster([HERE, OTHER, OTHER]);
  const sessions: ChatSession[] = [];
  try {
    sessions.push(...await joinSessions(url(0), ["stays0"]), ...await joinSessions(url(1), ["stays1"]));
    sessions.push(...await joinSessions(url(2), ["doomed"]));
    const mover = new ChatSession([url(2), url(0), url(1)], {
      name: "mover",
      reconnect: { minDelay: 50, maxDelay: 500 },
    });
    sessions.push(mover);
    await within(mover.loggedIn(), 10_000, "mover logging in");
    const watchers = sessions.slice(0, 2);
    assert.ok(await until(() => sameUsers(watchers, ["stays0", "stays1", "doomed", "mover"]), 10_000));

    const killedAt = performance.now();
    await instances[2]?.kill();
    assert.ok(
      await until(() => watchers.every((s) => !s.users.includes("doomed")), VANISH_BOUND_MS),
      `the dead instance's users left every list within ${VANISH_BOUND_MS} ms`,
    );
    const vanishedMs = performance.now() - killedAt;
    assert.ok(await until(() => watchers.every((s) => s.users.includes(mover.name)), 10_000), "mover is back");
    assert.ok(mover.name.startsWith("mover"), mover.name);
    mover.say("moved");
    const heard = await within(
      new Promise<string>((resolve) => watchers[1]?.onLine((line) => resolve(line.text))),
      5_000,
      "a line from the moved client",
    );
    assert.equal(heard, "moved");
    console.log(`scale-out: a killed instance's users left every list after ${Math.round(vanishedMs)} ms`);
  } finally {
    await closeAll(sessions);
    await stop();
  }
});

test("a stalled instance, taken for dead, gives its clients their names back when it runs again", async () => {
  const { instances, url, stop } = await cluster([HERE, OTHER]);
  const sessions: ChatSession[] = [];
  try {
    sessions.push(...await joinSessions(url(0), ["watcher"]), ...await joinSessions(url(1), ["sleeper"]));
    assert.ok(await until(() => sameUsers(sessions, ["watcher", "sleeper"]), 10_000));
    instances[1]?.pause();
    const [watcher] = sessions as [ChatSession];
    assert.ok(await until(() => !watcher.users.includes("sleeper"), VANISH_BOUND_MS), "taken for dead");
    instances[1]?.resume();
    assert.ok(await until(() => sameUsers(sessions, ["watcher", "sleeper"]), 5_000), "its client's name is back");
    const newcomer = await joinSessions(url(0), ["sleeper"]);
    sessions.push(...newcomer);
    assert.notEqual(newcomer[0]?.name, "sleeper", "and held again: a newcomer gets another");
  } finally {
    instances[1]?.resume();
    await closeAll(sessions);
    await stop();
  }
});

test("Redis restarting: instances reconnect and carry on; lines said meanwhile are counted as unpublished", async () => {
  const { redis, instances, url, stop } = await cluster([HERE, OTHER]);
  const sessions: ChatSession[] = [];
  try {
    sessions.push(...await joinSessions(url(0), ["s0"]), ...await joinSessions(url(1), ["s1"]));
    const [s0, s1] = sessions as [ChatSession, ChatSession];
    assert.ok(await until(() => sameUsers(sessions, ["s0", "s1"]), 10_000));
    const heard: string[] = [];
    s1.onLine((line) => heard.push(line.text));

    await redis.stop();
    const lost = (i: number) => /redis lost/.test(instances[i]?.output() ?? "");
    assert.ok(await until(() => lost(0) && lost(1), 10_000), "both instances noticed");
    const during = 5;
    for (let i = 0; i < during; i++) s0.say(`during ${i}`);
    const late = new ChatSession(url(1), { name: "late", reconnect: false });
    await assert.rejects(late.loggedIn(), /1011/, "a login while Redis is away is refused with 1011");
    await sleep(200);

    await redis.start();
    const restored = (i: number) => /redis restored (.*)/.exec(instances[i]?.output() ?? "")?.[1];
    assert.ok(await until(() => restored(0) !== undefined && restored(1) !== undefined, 15_000), "both reconnected");
    const stats = JSON.parse(restored(0) as string);
    assert.equal(stats.unpublished, during, "every line said while Redis was down is counted as unpublished");
    assert.ok(await until(() => sameUsers(sessions, ["s0", "s1"]), 10_000), "the user list came back");

    s0.say("after");
    assert.ok(await until(() => heard.includes("after"), 10_000), "lines flow again across instances");
    assert.deepEqual(heard.filter((text) => text.startsWith("during")), [], "what was unpublished reached nobody");
    const newcomer = await joinSessions(url(1), ["s0"]);
    sessions.push(...newcomer);
    assert.notEqual(newcomer[0]?.name, "s0", "names held before the restart are still held");
  } finally {
    await closeAll(sessions);
    await stop();
  }
});
