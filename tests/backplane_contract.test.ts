/**
 * The backplane contract (`src/backplane/backplane.ts`), tested the same way
 * on every engine of `tests/support/backplanes.ts`, with several instances:
 * plain topics and announcements reach every instance, resumable topics are
 * one log that every follower sees exactly once and in order, `read` replays
 * exactly what followed a position inside the window and refuses hostile
 * positions, and, on real engines, follows survive a cut subscriber
 * connection, a server restart (with persistence) and a server that lost its
 * data, and `start` gives up on a server that is not there.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Backplane, BackplaneEvents, RecoveryWindow } from "../src/backplane/backplane.ts";
import { type Engine, ENGINES, type EngineUnderTest, type Outages } from "./support/backplanes.ts";
import { sleep, until } from "./reliability/verdict.ts";
import { MemoryHub } from "../src/backplane/memory.ts";

/** The bound on any one wait: generous, since a wait ends as soon as its condition holds. */
const WAIT_MS = 10_000;

interface Entry {
  readonly topic: string;
  readonly position: string;
  readonly frame: string;
}

/** Everything an instance was told. */
interface Heard {
  readonly messages: { topic: string; frame: string }[];
  readonly entries: Entry[];
  readonly controls: string[];
  /** `lost`, `restored` and `gap:<topic>`, in the order they came. */
  readonly events: string[];
}

interface Instance {
  readonly backplane: Backplane;
  readonly heard: Heard;
}

function listener(): { events: BackplaneEvents; heard: Heard } {
  const heard: Heard = { messages: [], entries: [], controls: [], events: [] };
  const events: BackplaneEvents = {
    message: (topic, frame) => heard.messages.push({ topic, frame }),
    entry: (topic, position, frame) => heard.entries.push({ topic, position, frame }),
    control: (payload) => heard.controls.push(payload),
    status: (status) => heard.events.push(status),
    gap: (topic) => heard.events.push(`gap:${topic}`),
  };
  return { events, heard };
}

interface World {
  readonly engine: Engine;
  /** Makes and starts an instance, closed at the end of the test. */
  open(window?: Partial<RecoveryWindow>): Promise<Instance>;
}

/** Runs `body` on a freshly started engine; closes every instance and stops the engine however it ends. */
async function onEngine(engine: EngineUnderTest, body: (world: World) => Promise<void>): Promise<void> {
  const running = await engine.start();
  const opened: Backplane[] = [];
  const world: World = {
    engine: running,
    async open(window) {
      const backplane = running.make(window);
      opened.push(backplane);
      const { events, heard } = listener();
      await backplane.start(events);
      return { backplane, heard };
    },
  };
  try {
    await body(world);
  } finally {
    await Promise.allSettled(opened.map((backplane) => backplane.close()));
    await running.stop();
  }
}

function outagesOf(world: World): Outages {
  assert.ok(world.engine.outages, "a real engine has outages");
  return world.engine.outages;
}

/** Waits for `condition`, failing the test with `what` when it does not hold within `timeout`. */
async function waitFor(condition: () => boolean, what: string, timeout = WAIT_MS): Promise<void> {
  assert.ok(await until(condition, timeout), `${what} (not within ${timeout} ms)`);
}

/** Does `action` every 20 ms until `condition` holds (for at-most-once traffic, or a subscription being set up). */
async function repeatUntil(action: () => void, condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `${what} (not within ${WAIT_MS} ms)`);
    action();
    await sleep(20);
  }
}

/** The sequence number in a memory engine's position (`<epoch>-<seq>`). */
const sequence = (position: string) => Number(position.slice(position.indexOf("-") + 1));
const entriesOf = (instance: Instance, topic: string) => instance.heard.entries.filter((e) => e.topic === topic);
const framesOf = (instance: Instance, topic: string) => entriesOf(instance, topic).map((e) => e.frame);
const real = (entries: readonly Entry[]) => entries.filter((e) => !e.frame.startsWith("probe"));

/**
 * Makes sure every follower's follow is in place: `appender` appends probes (frames starting with "probe") until
 * every follower has heard one. A follow delivers what is appended after it began; across processes "after" needs
 * the follow to have reached the engine, and this is how a test knows it has.
 */
async function probe(appender: Instance, followers: readonly Instance[], topic: string): Promise<void> {
  const sent: Promise<unknown>[] = [];
  await repeatUntil(
    () => sent.push(appender.backplane.append(topic, `probe ${sent.length}`, `probe:${topic}:${sent.length}`)),
    () => followers.every((f) => entriesOf(f, topic).some((e) => e.frame.startsWith("probe"))),
    `every follower of ${topic} hears a probe`,
  );
  await Promise.allSettled(sent);
}

/** Appends, trying again with the same id while the engine is unreachable (as the cluster's appender does). */
async function appendSurely(instance: Instance, topic: string, frame: string, id: string): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      return await instance.backplane.append(topic, frame, id);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(20);
    }
  }
}

/** Appends numbered frames (`e0`, `e1`...) to one topic from one instance, remembering what each append returned. */
class Numbered {
  /** Each append's frame, by the position it returned. */
  readonly appended = new Map<string, string>();
  #next = 0;

  constructor(private readonly instance: Instance, private readonly topic: string) {}

  /** Appends `count` at once (retrying each with its id while the engine is unreachable). */
  async append(count: number): Promise<void> {
    const numbers = Array.from({ length: count }, () => this.#next++);
    await Promise.all(numbers.map(async (n) => {
      const position = await appendSurely(this.instance, this.topic, `e${n}`, `${this.topic}:${n}`);
      this.appended.set(position, `e${n}`);
    }));
  }

  /**
   * Appends 5 at a time, back to back, until `condition` holds, then 5 more times: entries keep coming while a
   * follower reconnects and catches up, some of them while it reads back what it missed.
   */
  async appendUntil(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    for (let after = 0; after < 5; after += condition() ? 1 : 0) {
      assert.ok(Date.now() < deadline, `${what} (not within ${WAIT_MS} ms)`);
      await this.append(5);
    }
  }
}

/** Every position after the one before it, by the engine's order: each entry exactly once, in log order. */
function assertIncreasing(backplane: Backplane, entries: readonly Entry[], what: string): void {
  for (let i = 1; i < entries.length; i++) {
    const [before, after] = [entries[i - 1] as Entry, entries[i] as Entry];
    assert.ok(
      backplane.compare(before.position, after.position) < 0,
      `${what}: ${before.position} (${before.frame}) then ${after.position} (${after.frame})`,
    );
  }
}

/**
 * What a follower heard of `topic` (probes aside) is exactly what was appended, once each, in log order.
 *
 * @param appended Each append's frame by the position it returned.
 */
function assertHeardOnce(follower: Instance, topic: string, appended: ReadonlyMap<string, string>): void {
  const heard = entriesOf(follower, topic);
  assertIncreasing(follower.backplane, heard, `what the follower of ${topic} heard`);
  const expected = [...appended.keys()].sort((x, y) => follower.backplane.compare(x, y));
  assert.deepEqual(real(heard).map((e) => e.position), expected, "every append once, in log order");
  assert.ok(real(heard).every((e) => appended.get(e.position) === e.frame), "each with its frame");
}

for (const engine of ENGINES) {
  const outageTest = { skip: !engine.real && `${engine.name} has no server to cut or restart` };

  test(`${engine.name}: plain frames reach the subscribers on every instance, the publisher too, in publish order`, async () => {
    await onEngine(engine, async (world) => {
      const a = await world.open();
      const b = await world.open();
      const c = await world.open();
      const leaving = await world.open();
      const never = await world.open();
      for (const instance of [a, b, c, leaving]) instance.backplane.subscribe("news");
      c.backplane.subscribe("other");
      await repeatUntil(
        () => a.backplane.publish("news", "probe"),
        () => [a, b, c, leaving].every((i) => i.heard.messages.some((m) => m.frame === "probe")),
        "every subscriber hears a probe",
      );
      leaving.backplane.unsubscribe("news");
      for (let i = 0; i < 100; i++) {
        a.backplane.publish("news", `a${i}`);
        b.backplane.publish("news", `b${i}`);
      }
      b.backplane.publish("other", "elsewhere");
      const news = (i: Instance) => i.heard.messages.filter((m) => m.topic === "news" && m.frame !== "probe");
      await waitFor(() => [a, b, c].every((i) => news(i).length >= 200), "every subscriber hears all 200 frames");
      await waitFor(() => c.heard.messages.some((m) => m.topic === "other"), "the other topic's subscriber hears it");
      for (const [index, instance] of [a, b, c].entries()) {
        const frames = news(instance).map((m) => m.frame);
        assert.equal(frames.length, 200, `instance ${index}: each frame once`);
        for (const from of ["a", "b"]) {
          const expected = Array.from({ length: 100 }, (_, i) => `${from}${i}`);
          assert.deepEqual(frames.filter((f) => f.startsWith(from)), expected, `instance ${index}: ${from}'s order`);
        }
      }
      assert.deepEqual(news(leaving), [], "an instance that unsubscribed hears nothing more");
      assert.deepEqual(never.heard.messages, [], "an instance that never subscribed hears nothing");
      assert.ok(![a, b].some((i) => i.heard.messages.some((m) => m.topic === "other")), "nor other topics");
    });
  });

  test(`${engine.name}: an announcement reaches every instance, the announcer too`, async () => {
    await onEngine(engine, async (world) => {
      const instances = [await world.open(), await world.open(), await world.open()];
      instances.forEach((instance, i) => instance.backplane.announce(`hello from ${i}`));
      const expected = ["hello from 0", "hello from 1", "hello from 2"];
      await waitFor(() => instances.every((i) => i.heard.controls.length >= 3), "every instance hears all three");
      for (const instance of instances) assert.deepEqual([...instance.heard.controls].sort(), expected);
    });
  });

  test(`${engine.name}: concurrent appends on two instances reach every follower once each, in one order`, async () => {
    await onEngine(engine, async (world) => {
      const a = await world.open();
      const b = await world.open();
      const c = await world.open();
      for (const instance of [a, b, c]) instance.backplane.follow("log");
      await probe(c, [a, b, c], "log");
      const appended = await Promise.all([
        ...Array.from({ length: 200 }, (_, i) => a.backplane.append("log", `a${i}`, `a:${i}`)),
        ...Array.from({ length: 200 }, (_, i) => b.backplane.append("log", `b${i}`, `b:${i}`)),
      ]);
      await waitFor(() => [a, b, c].every((i) => real(entriesOf(i, "log")).length >= 400), "every follower hears 400");
      const expected = real(entriesOf(a, "log"));
      for (const [index, instance] of [a, b, c].entries()) {
        assertIncreasing(instance.backplane, entriesOf(instance, "log"), `follower ${index}`);
        assert.deepEqual(real(entriesOf(instance, "log")), expected, `follower ${index} sees the one order`);
      }
      assert.equal(new Set(appended).size, 400, "every append has a position of its own");
      const byPosition = new Map(expected.map((e) => [e.position, e.frame]));
      appended.forEach((position, i) => {
        assert.equal(byPosition.get(position), i < 200 ? `a${i}` : `b${i - 200}`, `the entry at ${position}`);
        assert.ok(position.length <= 64 && !position.includes(":"), `a position clients can carry: ${position}`);
      });

      const from = expected[99] as Entry;
      const rest = await c.backplane.read("log", from.position);
      assert.ok(rest.ok, `read after the 100th: ${JSON.stringify(rest)}`);
      assert.deepEqual(rest.entries, expected.slice(100).map(({ position, frame }) => ({ position, frame })));
      assert.deepEqual(await a.backplane.read("log", (expected[399] as Entry).position), { ok: true, entries: [] });
    });
  });

  test(`${engine.name}: a follow gets this instance's next append; an unfollowed topic, nothing more`, async () => {
    await onEngine(engine, async (world) => {
      const a = await world.open();
      const b = await world.open();
      a.backplane.follow("own");
      const position = await a.backplane.append("own", "first", "a:1");
      await waitFor(() => entriesOf(a, "own").length === 1, "the follower hears its own append");
      assert.deepEqual(entriesOf(a, "own"), [{ topic: "own", position, frame: "first" }]);

      b.backplane.follow("own");
      await probe(a, [b], "own");
      a.backplane.unfollow("own");
      const last = await a.backplane.append("own", "second", "a:2");
      await waitFor(() => entriesOf(b, "own").some((e) => e.position === last), "the other follower hears it");
      assert.deepEqual(real(entriesOf(a, "own")).map((e) => e.frame), ["first"], "nothing after unfollow");
    });
  });

  test(`${engine.name}: the same append id twice is stored once`, async () => {
    await onEngine(engine, async (world) => {
      const a = await world.open();
      const b = await world.open();
      a.backplane.follow("once");
      await probe(b, [a], "once");
      const first = await a.backplane.append("once", "x", "retry-1");
      assert.equal(await a.backplane.append("once", "x", "retry-1"), first, "a retry after success");
      const [one, other] = await Promise.all([
        a.backplane.append("once", "y", "retry-2"),
        b.backplane.append("once", "y", "retry-2"),
      ]);
      assert.equal(one, other, "two retries at once, from two instances");
      const last = await b.backplane.append("once", "z", "retry-3");
      await waitFor(() => entriesOf(a, "once").some((e) => e.position === last), "the follower hears the last");
      assert.deepEqual(real(entriesOf(a, "once")).map((e) => e.frame), ["x", "y", "z"]);
      const read = await b.backplane.read("once", first);
      assert.deepEqual(read.ok && read.entries.map((e) => e.frame), ["y", "z"]);
    });
  });

  test(`${engine.name}: appendMany (where the engine has it) stores a batch in order, a retried part once`, async () => {
    await onEngine(engine, async (world) => {
      const a = await world.open();
      const b = await world.open();
      const appendMany = a.backplane.appendMany?.bind(a.backplane);
      if (appendMany === undefined) return; // optional: this engine appends one at a time
      a.backplane.follow("batch");
      await probe(b, [a], "batch");
      const first = await appendMany("batch", [{ frame: "p", id: "batch-1" }]);
      const positions = await appendMany("batch", [
        { frame: "p", id: "batch-1" },
        { frame: "q", id: "batch-2" },
        { frame: "r", id: "batch-3" },
      ]);
      assert.equal(positions.length, 3);
      assert.equal(positions[0], first[0], "the retried one keeps its position");
      assertIncreasing(
        a.backplane,
        positions.map((position) => ({ topic: "batch", position, frame: "" })),
        "a batch's positions",
      );
      await waitFor(() => entriesOf(a, "batch").some((e) => e.position === positions[2]), "the follower hears them");
      assert.deepEqual(real(entriesOf(a, "batch")).map((e) => e.frame), ["p", "q", "r"]);
    });
  });

  test(`${engine.name}: read is exact inside the window by count, "gone" beyond it`, async () => {
    await onEngine(engine, async (world) => {
      const a = await world.open({ maxMessages: 5 });
      const positions: string[] = [];
      for (let i = 0; i < 8; i++) positions.push(await a.backplane.append("count", `m${i}`, `count:${i}`));
      const at = (i: number) => positions[i] as string;
      assert.deepEqual(await a.backplane.read("count", at(7)), { ok: true, entries: [] });
      const five = await a.backplane.read("count", at(2));
      assert.deepEqual(five, {
        ok: true,
        entries: [3, 4, 5, 6, 7].map((i) => ({ position: at(i), frame: `m${i}` })),
      });
      for (const i of [1, 0]) {
        const read = await a.backplane.read("count", at(i));
        assert.equal(!read.ok && read.reason, "gone", `after m${i}: m${i + 1} is beyond the last 5`);
      }
    });
  });

  test(`${engine.name}: read is "gone" once what followed the position is older than the window`, async () => {
    await onEngine(engine, async (world) => {
      const a = await world.open({ maxAgeMs: 300 });
      const first = await a.backplane.append("age", "old 1", "age:1");
      const second = await a.backplane.append("age", "old 2", "age:2");
      const appended = Date.now();
      // Time has to pass here: the window is in milliseconds.
      await until(() => Date.now() - appended > 450, 1000);
      const third = await a.backplane.append("age", "new", "age:3");
      const gone = await a.backplane.read("age", first);
      assert.equal(!gone.ok && gone.reason, "gone", `"old 2" is out of the window: ${JSON.stringify(gone)}`);
      assert.deepEqual(await a.backplane.read("age", second), {
        ok: true,
        entries: [{ position: third, frame: "new" }],
      }, "nothing that followed the position is missing");
      assert.deepEqual(await a.backplane.read("age", third), { ok: true, entries: [] });
    });
  });

  test(`${engine.name}: a read while the log moves on is every entry after the position, or "gone", never a hole`, async () => {
    await onEngine(engine, async (world) => {
      // A small window, two instances appending as fast as they can, and reads from a position near the window's
      // start, 40 at once from three instances (which slows each one down): the log drops entries while they read.
      const window = { maxMessages: 50 };
      const writers = [await world.open(window), await world.open(window)];
      const follower = await world.open(window);
      const readers = [await world.open(window), await world.open(window), await world.open(window)];
      await follower.backplane.follow("moving");
      await probe(writers[0] as Instance, [follower], "moving");
      const positions: string[] = [];
      for (let i = 0; i < 50; i++) {
        positions.push(await (writers[0] as Instance).backplane.append("moving", `s${i}`, `s:${i}`));
      }
      let appending = true;
      const appended = new Map<string, string>();
      const writing = writers.map(async (writer, w) => {
        for (let n = 0; appending; n++) {
          const frame = `w${w}:${n}`;
          const position = await writer.backplane.append("moving", frame, frame);
          appended.set(position, frame);
          positions.push(position);
          // Lets timers and sockets in now and then (the memory engine appends without ever waiting).
          if (n % 10 === 9) await sleep(0);
        }
      });
      const compare = (a: string, b: string) => follower.backplane.compare(a, b);
      const reads: { position: string; known: number; result: Awaited<ReturnType<Backplane["read"]>> }[] = [];
      for (let round = 0; round < 25; round++) {
        const before = appended.size;
        await waitFor(() => appended.size >= before + 10, "the writers append 10 more");
        // 39 entries after it, as far as the writers know (the log holds 50): the log's end moves on meanwhile.
        const sorted = [...positions].sort(compare);
        const position = sorted.at(-40) as string;
        const known = sorted.length - sorted.indexOf(position) - 1;
        const results = await Promise.all(
          Array.from(
            { length: 40 },
            (_, i) => (readers[i % readers.length] as Instance).backplane.read("moving", position),
          ),
        );
        for (const result of results) reads.push({ position, known, result });
      }
      appending = false;
      await Promise.all(writing);
      const count = appended.size;
      await waitFor(() => real(entriesOf(follower, "moving")).length >= 50 + count, `the follower hears all ${count}`);
      assert.deepEqual(follower.heard.events, [], "the follower missed nothing");
      const heard = real(entriesOf(follower, "moving")).map(({ position, frame }) => ({ position, frame }));
      const at = new Map(heard.map((entry, index) => [entry.position, index]));
      let answered = 0;
      for (const { position, known, result } of reads) {
        if (!result.ok) {
          assert.equal(result.reason, "gone", `after ${position}: ${JSON.stringify(result)}`);
          continue;
        }
        answered++;
        const start = (at.get(position) ?? assert.fail(`${position} is a position the follower heard`)) + 1;
        const entries = result.entries.map(({ position, frame }) => ({ position, frame }));
        const withStart = [{ position, frame: "" }, ...entries].map((entry) => ({ ...entry, topic: "moving" }));
        assertIncreasing(follower.backplane, withStart, `read after ${position}`);
        if (engine.name === "memory") {
          entries.forEach((entry, i) =>
            assert.equal(sequence(entry.position), sequence(position) + i + 1, "no sequence missing")
          );
        }
        assert.deepEqual(entries, heard.slice(start, start + entries.length), `read after ${position}: no hole`);
        assert.ok(
          entries.length >= known,
          `read after ${position}: up to the log's end as the read began (${entries.length})`,
        );
      }
      assert.ok(answered > 0, `some of the ${reads.length} reads found their entries`);
    });
  });

  test(`${engine.name}: hostile positions are "invalid", and read never throws on them`, async () => {
    await onEngine(engine, async (world) => {
      const a = await world.open();
      const position = await a.backplane.append("hostile", "frame", "hostile:1");
      const hostile = [
        "",
        " ",
        "abc",
        "-",
        "+",
        "$",
        "*",
        ">",
        "0",
        "0-0",
        "-1",
        "-1-0",
        "1--1",
        "1-2-3",
        "01-0",
        "1e3",
        "0x10",
        "NaN",
        "Infinity",
        "\u0661",
        `${position} `,
        ` ${position}`,
        `${position}\n`,
        `(${position}`,
        `${position}:hostile`,
        "9999999999",
        "99999999999999-0",
        "9".repeat(10_000),
        "x".repeat(10_000),
      ];
      for (const candidate of hostile) {
        for (const topic of ["hostile", "never-written"]) {
          const read = await a.backplane.read(topic, candidate);
          const shown = JSON.stringify(candidate.slice(0, 20));
          assert.equal(!read.ok && read.reason, "invalid", `${shown} on ${topic}: ${JSON.stringify(read)}`);
        }
      }
      assert.deepEqual(await a.backplane.read("hostile", position), { ok: true, entries: [] }, "still answering");
    });
  });

  test(`${engine.name}: nothing is delivered after close resolves`, async () => {
    await onEngine(engine, async (world) => {
      const a = await world.open();
      const b = await world.open();
      for (const instance of [a, b]) {
        instance.backplane.subscribe("closing");
        instance.backplane.follow("closing");
      }
      await repeatUntil(
        () => b.backplane.publish("closing", "probe"),
        () => [a, b].every((i) => i.heard.messages.length > 0),
        "both hear a probe",
      );
      await probe(b, [a, b], "closing");
      await a.backplane.close();
      const heard = JSON.stringify(a.heard);
      b.backplane.publish("closing", "after");
      b.backplane.announce("after");
      const last = await b.backplane.append("closing", "after", "closing:after");
      await waitFor(
        () =>
          b.heard.messages.some((m) => m.frame === "after") && entriesOf(b, "closing").some((e) => e.position === last),
        "the open instance hears them",
      );
      await waitFor(() => b.heard.controls.includes("after"), "the announcement too");
      assert.equal(JSON.stringify(a.heard), heard, "the closed instance heard nothing more");
    });
  });

  test(
    `${engine.name}: a follow survives its subscriber connection cut, while another instance appends`,
    outageTest,
    async () => {
      await onEngine(engine, async (world) => {
        // A window wide enough that nothing this test appends is trimmed while the follower is away.
        const a = await world.open({ maxMessages: 50_000 });
        const b = await world.open({ maxMessages: 50_000 });
        a.backplane.follow("cut");
        a.backplane.subscribe("cut-plain");
        await probe(b, [a], "cut");
        const numbered = new Numbered(b, "cut");
        for (let batch = 0; batch < 5; batch++) await numbered.append(10);
        const letIn = await outagesOf(world).cut();
        // A burst while the follower is away. On an engine where appends need the connection cut too, they wait for
        // it: then stop waiting for them after 2 s.
        let stored = false;
        const burst = numbered.append(600).then(() => (stored = true));
        await until(() => stored, 2_000);
        await letIn();
        await burst;
        await numbered.appendUntil(() => a.heard.events.includes("restored"), "the follower is told it is restored");
        const count = numbered.appended.size;
        await waitFor(() => real(entriesOf(a, "cut")).length >= count, `the follower hears all ${count}`);
        assertHeardOnce(a, "cut", numbered.appended);
        assert.deepEqual(a.heard.events, ["lost", "restored"]);
        await repeatUntil(
          () => b.backplane.publish("cut-plain", "back"),
          () => a.heard.messages.some((m) => m.frame === "back"),
          "the plain subscription is back",
        );
      });
    },
  );

  test(
    `${engine.name}: follows carry on across a server restart that keeps the data, with no duplicates`,
    outageTest,
    async () => {
      await onEngine(engine, async (world) => {
        const a = await world.open({ maxMessages: 50_000 });
        const b = await world.open({ maxMessages: 50_000 });
        a.backplane.follow("restart");
        await probe(b, [a], "restart");
        // The restart comes while appends are in flight: some fail, with an unknown outcome, and are tried again.
        const numbered = new Numbered(b, "restart");
        for (let batch = 0; batch < 10; batch++) await numbered.append(5);
        const restarting = outagesOf(world).restart();
        await numbered.appendUntil(() => a.heard.events.includes("restored"), "the follower is told it is restored");
        await restarting;
        const count = numbered.appended.size;
        await waitFor(() => real(entriesOf(a, "restart")).length >= count, `the follower hears all ${count}`);
        assertHeardOnce(a, "restart", numbered.appended);
        assert.deepEqual(a.heard.events, ["lost", "restored"], "no gap: the log kept everything");
        const positions = [...numbered.appended.keys()].sort((x, y) => b.backplane.compare(x, y));
        const rest = await b.backplane.read("restart", positions[9] as string);
        assert.deepEqual(rest.ok && rest.entries.map((e) => e.position), positions.slice(10), "read after restart");
      });
    },
  );

  test(`${engine.name}: a follow whose log the server lost reports a gap, then carries on`, outageTest, async () => {
    await onEngine(engine, async (world) => {
      const a = await world.open();
      const b = await world.open();
      a.backplane.follow("wiped");
      await probe(b, [a], "wiped");
      const before: string[] = [];
      for (let i = 0; i < 5; i++) before.push(await b.backplane.append("wiped", `old${i}`, `wiped:${i}`));
      await waitFor(() => real(entriesOf(a, "wiped")).length === 5, "the follower hears the first 5");
      await outagesOf(world).wipe();
      await waitFor(() => a.heard.events.includes("restored"), "the follower is told it is restored");
      assert.deepEqual(a.heard.events, ["lost", "gap:wiped", "restored"], "the gap is told before restored");
      for (let i = 5; i < 10; i++) await appendSurely(b, "wiped", `new${i}`, `wiped:${i}`);
      await waitFor(() => real(entriesOf(a, "wiped")).length >= 10, "the follower hears the new entries");
      assert.deepEqual(
        framesOf(a, "wiped").filter((f) => !f.startsWith("probe")),
        Array.from({ length: 10 }, (_, i) => i < 5 ? `old${i}` : `new${i}`),
      );
      const read = await b.backplane.read("wiped", before[4] as string);
      assert.equal(!read.ok && read.reason, "gone", `the lost position: ${JSON.stringify(read)}`);
    });
  });

  test(
    `${engine.name}: start gives up on a server that is not there, within its connect timeout`,
    outageTest,
    async () => {
      await onEngine(engine, async (world) => {
        const lonely = await outagesOf(world).unreachable(500);
        const started = Date.now();
        await assert.rejects(lonely.start(listener().events), (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.match(error.message, /500 ms/);
          return true;
        });
        const took = Date.now() - started;
        assert.ok(took < 2_000, `it gave up within the timeout (and some slack): ${took} ms`);
        await lonely.close();
      });
    },
  );
}

test("memory: a position an earlier hub gave is gone, never read against a new hub's log of the same topic", async () => {
  const earlier = new MemoryHub().backplane();
  const later = new MemoryHub().backplane();
  const { events } = listener();
  for (const backplane of [earlier, later]) await backplane.start(events);
  try {
    const old = await earlier.append("news", "old one", "a:1");
    await earlier.append("news", "old two", "a:2");
    await later.append("news", "new one", "b:1");
    await later.append("news", "new two", "b:2");
    const read = await later.read("news", old);
    assert.equal(read.ok, false);
    assert.equal(!read.ok && read.reason, "gone");
  } finally {
    for (const backplane of [earlier, later]) await backplane.close();
  }
});
