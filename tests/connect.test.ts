/**
 * `typewire connect`, the typed terminal client, as a user runs it: a child process of this runtime (deno or bun)
 * with piped stdio (NDJSON in and out), on Node.js (a .ts and a compiled .js protocol module), and in a real
 * terminal (tmux: the readable output, the prompt, Ctrl-C). Servers run in this process on 127.0.0.1; what they
 * received is checked frame by frame. Also the short-form parser and the command line, as units.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { freePort, startEchoServer, TestServer } from "./support/test_server.ts";
import { loadServe, serverRuntime } from "../src/server/this_runtime.ts";
import { parseShortForm } from "../gen/connect/short_form.ts";
import { parseInputLine } from "../gen/connect/input_line.ts";
import { parseConnectArgs } from "../gen/connect/args.ts";
import { UsageError } from "../gen/usage.ts";
import { pickProtocol } from "../gen/connect/pick_protocol.ts";
import { loadProtocol } from "../gen/connect/load_protocol.ts";
import { prettyFormatter } from "../gen/connect/format.ts";
import * as echo from "./fixtures/generated/echo.ts";
import * as chat from "../src/generated/chat.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url).href);
const BIN = join(ROOT, "gen", "bin.ts");
const ECHO = "tests/fixtures/generated/echo.ts";
const RUNTIME = serverRuntime();

/** The command line that runs `typewire connect` on this test's runtime, from source. */
function connectCommand(args: readonly string[]): [string, string[]] {
  return RUNTIME === "deno"
    ? [process.execPath, ["run", "-A", BIN, "connect", ...args]]
    : [process.execPath, [BIN, "connect", ...args]];
}

// deno-lint-ignore no-explicit-any -- tests read any field of an event
type Event = Record<string, any>;

/** `typewire connect` as a child process with piped stdio: its NDJSON events, awaited one by one. */
class Connect {
  readonly events: Event[] = [];
  stderr = "";
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcess;
  #buffer = "";
  #wake: (() => void) | undefined;

  constructor(program: string, args: readonly string[]) {
    this.#child = spawn(program, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"], env: withoutNoColor() });
    this.#child.stdout?.setEncoding("utf8");
    this.#child.stderr?.setEncoding("utf8");
    this.#child.stdout?.on("data", (chunk: string) => {
      this.#buffer += chunk;
      const lines = this.#buffer.split("\n");
      this.#buffer = lines.pop() ?? "";
      for (const line of lines) this.events.push(JSON.parse(line));
      this.#wake?.();
    });
    this.#child.stderr?.on("data", (chunk: string) => (this.stderr += chunk));
    // "close", not "exit": by then stdout has been read to its end.
    this.exited = new Promise((resolve) => this.#child.on("close", (code) => resolve(code)));
  }

  /** Resolves with the first event (from the start) that `match` accepts. */
  async until(match: (event: Event) => boolean, timeout = 20_000): Promise<Event> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no such event within ${timeout} ms; got:\n${
            this.events.map((e) => JSON.stringify(e)).join("\n")
          }\n${this.stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  write(line: string): void {
    this.#child.stdin?.write(`${line}\n`);
  }

  /** Ends stdin and resolves with the exit status. */
  end(): Promise<number | null> {
    this.#child.stdin?.end();
    return this.exited;
  }

  kill(): void {
    this.#child.kill();
  }

  /** Sends a signal by process id: Deno's `ChildProcess.kill` reports the signal it sent, not the exit status. */
  signal(signal: NodeJS.Signals): void {
    process.kill(this.#child.pid as number, signal);
  }
}

function withoutNoColor(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NO_COLOR;
  return env;
}

function startConnect(args: readonly string[]): Connect {
  const [program, full] = connectCommand(args);
  return new Connect(program, full);
}

const isMessage = (type: string, more: (data: Event) => boolean = () => true) => (event: Event) =>
  event.event === "message" && event.data.type === type && more(event.data);

test("short form: the tag, then fields; JSON values, quoted strings, nested fields", () => {
  const parse = (line: string) => {
    const result = parseShortForm(line, "type");
    assert.ok(result.ok, `${line}: ${result.ok ? "" : result.error.message}`);
    return result.message;
  };
  assert.deepEqual(parse('message text="hello world" id=3'), { type: "message", text: "hello world", id: 3 });
  assert.deepEqual(parse("say  seq=1\ttext=hi "), { type: "say", seq: 1, text: "hi" });
  assert.deepEqual(parse("x a=true b=false c=null d=-1.5e2 e=007 f= g=[wip]"), {
    type: "x",
    a: true,
    b: false,
    c: null,
    d: -150,
    e: "007",
    f: "",
    g: "[wip]",
  });
  assert.deepEqual(parse('x id="3" s=\'a "b" \\n\' q="say \\"hi\\"\\n"'), {
    type: "x",
    id: "3",
    s: 'a "b" \\n',
    q: 'say "hi"\n',
  });
  assert.deepEqual(parse('x tags=["a b", "c"] o={"k": [1, 2]}'), { type: "x", tags: ["a b", "c"], o: { k: [1, 2] } });
  assert.deepEqual(parse("x a.b=1 a.c.d=two"), { type: "x", a: { b: 1, c: { d: "two" } } });
  assert.deepEqual(parse('x "a.b"=1 "with space"=2'), { type: "x", "a.b": 1, "with space": 2 });
  assert.deepEqual(parse('"odd tag" n=1'), { type: "odd tag", n: 1 });
  const polluted = parse("x __proto__.polluted=1");
  assert.equal(({} as Record<string, unknown>).polluted, undefined, "no prototype is touched");
  assert.deepEqual(Object.keys(polluted), ["type", "__proto__"]);

  const refuse = (line: string, message: RegExp, column: number) => {
    const result = parseShortForm(line, "type");
    assert.ok(!result.ok, `${line} is refused`);
    assert.match(result.error.message, message, line);
    assert.equal(result.error.column, column, `${line}: the column`);
  };
  refuse('say text="hello', /quote that is never closed/, 10);
  refuse("say text", /expected field=value after "text"/, 9);
  refuse("seq=1 text=hi", /start with the message's type/, 1);
  refuse("say type=ping", /the type is the first word/, 5);
  refuse("say a=1 a=2", /a is given twice/, 9);
  refuse("say a=1 a.b=2", /a\.b: a is set already/, 9);
  refuse("say a.b=1 a=2", /a is set already/, 11);
  refuse("say =1", /a field with no name/, 5);
  refuse('say a="x"y', /a space must follow a quoted value/, 10);

  assert.deepEqual(parseInputLine('  {"type":"say","seq":1}', "type"), {
    kind: "message",
    message: { type: "say", seq: 1 },
  });
  assert.equal(parseInputLine("   ", "type").kind, "blank");
  const broken = parseInputLine("{nope", "type");
  assert.ok(broken.kind === "error" && broken.error.kind === "not-json");
  const shifted = parseInputLine('   say text="x', "type");
  assert.ok(shifted.kind === "error" && shifted.error.column === 13, "columns count the line as typed");
});

test("the readable form of a message is its short form: type first, nested fields dotted", () => {
  const format = prettyFormatter({ discriminator: "op" });
  const line = format({ event: "message", data: { op: "tick", n: 1, "a b": "c", meta: { at: [1], k: { z: null } } } });
  assert.equal(line, '< tick n=1 "a b"="c" meta.at=[1] meta.k.z=null');
  const data = parseShortForm((line as string).slice(2), "op");
  assert.ok(data.ok);
  assert.deepEqual(data.message, { op: "tick", n: 1, "a b": "c", meta: { at: [1], k: { z: null } } }, "it reads back");
  assert.equal(format({ event: "sent", status: "sent", data: { op: "x" } }), undefined, "a terminal echoes input");
  const piped = prettyFormatter({ discriminator: "op", echoSent: true });
  assert.equal(piped({ event: "sent", status: "sent", data: { op: "x", n: 1 } }), "> x n=1", "piped input is shown");
  const coloured = prettyFormatter({ discriminator: "op", colour: true });
  assert.equal(
    coloured({ event: "message", data: { op: "x", s: "t" } }),
    '\x1b[2m<\x1b[0m \x1b[1m\x1b[36mx\x1b[0m\x1b[0m s=\x1b[32m"t"\x1b[0m',
  );
});

test("the command line: defaults, did-you-mean for unknown options, a protocol export picked or asked for", async () => {
  const args = parseConnectArgs(["ws://127.0.0.1:1", "-p", ECHO, "--subprotocol=a", "--subprotocol", "b"]);
  assert.ok(!args.help);
  assert.deepEqual(
    [args.output, args.reconnect, args.strict, args.wait, args.subprotocols],
    ["auto", true, false, 0, ["a", "b"]],
  );
  assert.deepEqual(parseConnectArgs(["--help"]), { help: true });
  const refused = (argv: string[], message: RegExp) =>
    assert.throws(() => parseConnectArgs(argv), (error) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, message);
      return true;
    });
  refused(
    ["ws://h", "-p", ECHO, "--no-reconect"],
    /unknown option "--no-reconect" \(did you mean "--no-reconnect"\?\)/,
  );
  refused(["ws://h"], /--protocol <module> is required/);
  refused(["-p", ECHO], /no URL/);
  refused(
    ["127.0.0.1:8080", "-p", ECHO],
    /not a WebSocket URL: "127\.0\.0\.1:8080" \(did you mean "ws:\/\/127\.0\.0\.1:8080"\?\)/,
  );
  refused(["ws://h", "-p", ECHO, "--json", "--pretty"], /exclude each other/);
  refused(["ws://h", "-p", ECHO, "--wait", "soon"], /--wait takes a number of seconds/);

  assert.equal(pickProtocol(chat, undefined, "chat.ts").exportName, "chatProtocol", "the whole one, of the two");
  assert.equal(pickProtocol(chat, "chatClientProtocol", "chat.ts").clientTypes, undefined);
  const both = { ...echo, ...chat };
  assert.throws(() => pickProtocol(both, undefined, "both.ts"), /exports 2 protocols .*choose one with --export/);
  assert.equal(pickProtocol(both, "echoProtocol", "both.ts").protocol.name, "echo");
  assert.throws(
    () => pickProtocol(both, "echoProtocl", "both.ts"),
    /no export "echoProtocl" \(did you mean "echoProtocol"\?\)/,
  );
  assert.throws(
    () => pickProtocol(both, "foo", "both.ts"),
    /no export "foo" \(its protocols: echoClientProtocol, echoProtocol, chatClientProtocol, chatProtocol\)$/,
    "a name close to none: the protocols it has",
  );
  assert.throws(() => pickProtocol(both, "decodeServerMessage", "both.ts"), /is not a protocol descriptor/);
  await assert.rejects(loadProtocol("nowhere.ts"), /no such file: nowhere\.ts/);
  assert.equal((await loadProtocol(ECHO)).exportName, "echoProtocol");
});

test("through a pipe: NDJSON events; JSON and short-form lines sent; an invalid line shown and not sent; EOF exits 0", async () => {
  const server = await startEchoServer();
  const command = startConnect([server.url, "--protocol", ECHO]);
  try {
    command.write("say seq=-1 text=never");
    command.write('{"type":"say","seq":1,"text":"as JSON"}');
    command.write('say seq=2 text="in the short form"');
    command.write("sya seq=3");
    const refused = await command.until((e) => e.event === "refused" && e.pointer === "/seq");
    assert.equal(refused.kind, "invalid");
    assert.equal(refused.expected, "an integer of at least 0");
    assert.equal(refused.found, "the number -1");
    assert.match(refused.reason, /invalid "say" message at \/seq/);
    assert.equal(refused.line, "say seq=-1 text=never");
    const unknown = await command.until((e) => e.event === "refused" && e.kind === "unknown-type");
    assert.equal(unknown.pointer, "/type");
    assert.match(unknown.reason, /did you mean "say"\?/);
    assert.deepEqual(await command.until((e) => e.event === "open"), {
      event: "open",
      subprotocol: "echo.v1",
      reconnected: false,
    });
    await command.until(isMessage("echo", (m) => m.seq === 1 && m.text === "as JSON"));
    await command.until(isMessage("echo", (m) => m.seq === 2 && m.text === "in the short form"));
    assert.equal(await command.end(), 0, command.stderr);
    assert.deepEqual(server.frames, [
      '{"type":"say","seq":1,"text":"as JSON"}',
      '{"type":"say","seq":2,"text":"in the short form"}',
    ], "the invalid lines were never sent");
    assert.deepEqual((await server.closed(1))[0], { code: 1000, reason: "" }, "a clean close");
    const kinds = command.events.map((e) => e.event);
    assert.deepEqual(kinds.filter((k) => k === "sent").length, 2);
    assert.equal(kinds.at(-1), "close");
    assert.equal(command.stderr, "");
  } finally {
    command.kill();
    await server.stop();
  }
});

test("an invalid incoming frame is flagged with the decoder's JSON Pointer and reason; valid ones still arrive", async () => {
  const server = new TestServer(await loadServe(), { selectProtocol: (offered) => offered[0] }, {
    open: (socket) => {
      socket.send('{"type":"echo","seq":"one","text":"hi"}');
      socket.send("not json");
      socket.send('{"type":"shout","seq":1}');
      socket.send('{"type":"hello","session":1}');
    },
  });
  await server.start();
  const command = startConnect([server.url, "--protocol", ECHO, "--subprotocol", "echo.v2"]);
  try {
    await command.until(isMessage("hello"));
    assert.equal(command.events[0]?.subprotocol, "echo.v2", "--subprotocol replaces the protocol's own");
    const invalid = command.events.filter((e) => e.event === "invalid");
    assert.deepEqual(invalid[0], {
      event: "invalid",
      kind: "invalid",
      pointer: "/seq",
      reason: 'invalid "echo" message at /seq: expected an integer of at least 0, found the string "one"',
      expected: "an integer of at least 0",
      found: 'the string "one"',
      frame: '{"type":"echo","seq":"one","text":"hi"}',
    });
    assert.deepEqual([invalid[1]?.kind, invalid[1]?.pointer, invalid[1]?.frame], ["not-json", "", "not json"]);
    assert.match(invalid[1]?.reason, /^not JSON: /);
    assert.deepEqual([invalid[2]?.kind, invalid[2]?.pointer], ["unknown-type", "/type"]);
    assert.equal(await command.end(), 0, command.stderr);
  } finally {
    command.kill();
    await server.stop();
  }
});

test("reconnects with the client's backoff after the server drops the connection; messages flow again", async () => {
  const server = await startEchoServer();
  const command = startConnect([server.url, "--protocol", ECHO]);
  try {
    await command.until(isMessage("hello", (m) => m.session === 1));
    (await server.opened(1)).close(1012, "restarting");
    const close = await command.until((e) => e.event === "close");
    assert.deepEqual(close, { event: "close", code: 1012, reason: "restarting", wasClean: true, willReconnect: true });
    const reconnecting = await command.until((e) => e.event === "reconnecting");
    assert.equal(reconnecting.attempt, 1);
    assert.ok(reconnecting.delay >= 0 && reconnecting.delay < 500, "the first delay is below minDelay");
    await command.until((e) => e.event === "open" && e.reconnected === true);
    await command.until(isMessage("hello", (m) => m.session === 2));
    command.write("ping seq=7");
    await command.until(isMessage("pong", (m) => m.seq === 7));
    assert.equal(await command.end(), 0, command.stderr);
    assert.deepEqual(server.frames, ['{"type":"ping","seq":7}']);
  } finally {
    command.kill();
    await server.stop();
  }
});

test("after stdin ends, a close from the server ends the session at once, without reconnecting, even under --wait", async () => {
  const server = await startEchoServer();
  const finished = startConnect([server.url, "--protocol", ECHO, "--wait", "30"]);
  const lost = startConnect([server.url, "--protocol", ECHO, "--wait", "30"]);
  try {
    const sessions: number[] = [];
    for (const [command, seq] of [[finished, 1], [lost, 2]] as const) {
      sessions.push((await command.until(isMessage("hello"))).data.session);
      command.write(`ping seq=${seq}`);
      await command.until(isMessage("pong", (m) => m.seq === seq));
      void command.end();
    }
    // Their stdin has ended (a second is ample for the commands to see it); they wait out --wait, connected.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const started = Date.now();
    (await server.opened(sessions[0] as number)).close(1000, "done");
    (await server.opened(sessions[1] as number)).close(1012, "restarting");
    assert.equal(await finished.exited, 0, finished.stderr);
    assert.equal(await lost.exited, 1, lost.stderr);
    assert.ok(Date.now() - started < 10_000, "long before --wait ran out");
    for (const [command, code] of [[finished, 1000], [lost, 1012]] as const) {
      assert.deepEqual(command.events.at(-1), {
        event: "close",
        code,
        reason: code === 1000 ? "done" : "restarting",
        wasClean: true,
        willReconnect: false,
      });
      assert.ok(!command.events.some((e) => e.event === "reconnecting"), "no reconnection");
    }
    assert.equal(server.accepted.length, 2, "no connection was opened again");
  } finally {
    finished.kill();
    lost.kill();
    await server.stop();
  }
});

test("exit status: 130 after SIGINT (closing cleanly), 1 when unreachable or refused for good, 2 for usage errors", async () => {
  const server = await startEchoServer();
  // It selects the subprotocol offered: a client that offered one and got none fails the connection (Bun's does).
  const refusing = new TestServer(await loadServe(), { selectProtocol: (offered) => offered[0] }, {
    open: (socket) => socket.close(4403, "not you"),
  });
  await refusing.start();
  const interrupted = startConnect([server.url, "--protocol", ECHO]);
  const unreachable = startConnect([`ws://127.0.0.1:${await freePort()}`, "--protocol", ECHO, "--no-reconnect"]);
  const forbidden = startConnect([refusing.url, "--protocol", ECHO]);
  const usage = [
    [["ws://127.0.0.1:1", "--protocol", ECHO, "--jsno"], /unknown option "--jsno" \(did you mean "--json"\?\)/],
    [["ws://127.0.0.1:1", "--protocol", "gen/closest.ts"], /gen\/closest\.ts exports no protocol descriptor/],
  ] as const;
  const usageErrors = usage.map(([args, message]) => [startConnect(args), args, message] as const);
  try {
    await interrupted.until((e) => e.event === "open");
    interrupted.signal("SIGINT");
    assert.equal(await interrupted.exited, 130, interrupted.stderr);
    assert.deepEqual((await server.closed(1))[0], { code: 1000, reason: "" }, "SIGINT closes cleanly");
    assert.equal(interrupted.events.at(-1)?.event, "close");

    assert.equal(await unreachable.exited, 1, unreachable.stderr);
    assert.deepEqual(unreachable.events.map((e) => e.event), ["error", "close"]);
    assert.equal(unreachable.events[1]?.code, 1006);

    assert.equal(await forbidden.exited, 1, forbidden.stderr);
    assert.deepEqual(forbidden.events.at(-1), {
      event: "close",
      code: 4403,
      reason: "not you",
      wasClean: true,
      willReconnect: false,
    }, "a terminal code ends the session even with reconnection on");

    for (const [command, args, message] of usageErrors) {
      assert.equal(await command.exited, 2, `${args.join(" ")}: ${command.stderr}`);
      assert.match(command.stderr, message);
      assert.match(command.stderr, /See typewire connect --help/);
      assert.deepEqual(command.events, [], "nothing on stdout");
    }
  } finally {
    for (const command of [interrupted, unreachable, forbidden, ...usageErrors.map(([command]) => command)]) {
      command.kill();
    }
    await Promise.all([server.stop(), refusing.stop()]);
  }
});

test("on Node.js 20: a .ts protocol module loads through the TypeScript hooks, a compiled .js module as it is", async () => {
  // The command's own sources, bundled as the npm package would run them (the hooks file beside the command).
  const folder = join(ROOT, "test-artifacts", `connect-node-${process.pid}`);
  mkdirSync(folder, { recursive: true });
  const server = await startEchoServer();
  const commands: Connect[] = [];
  try {
    await esbuild.build({
      entryPoints: [join(ROOT, "gen/connect/main.ts"), join(ROOT, "gen/connect/node_ts_hooks.ts"), join(ROOT, ECHO)],
      outdir: folder,
      outbase: ROOT,
      bundle: true,
      format: "esm",
      platform: "node",
      packages: "external",
      logLevel: "warning",
    });
    const bin = join(folder, "gen", "connect", "bin.mjs");
    writeFileSync(
      bin,
      'import process from "node:process";\nimport { connectMain } from "./main.js";\n' +
        "process.exitCode = await connectMain(process.argv.slice(2));\n",
    );
    const modules = [ECHO, join(folder, "tests", "fixtures", "generated", "echo.js")];
    commands.push(
      ...modules.map((module) => new Connect("node", [bin, server.url, "--protocol", module, "--wait", "1"])),
    );
    await Promise.all(commands.map(async (command, i) => {
      // Input ends at once: the line waits in the queue for the connection, then `--wait` lets the echo come back.
      command.write(`say seq=${i} text="from node"`);
      assert.equal(await command.end(), 0, command.stderr);
      assert.deepEqual(command.events.map((e) => e.event), ["sent", "open", "message", "message", "close"]);
      assert.deepEqual(command.events[3]?.data, { type: "echo", seq: i, text: "from node" });
    }));
    assert.deepEqual(server.frames.toSorted(), [0, 1].map((i) => `{"type":"say","seq":${i},"text":"from node"}`));
  } finally {
    for (const command of commands) command.kill();
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  }
});

/** Runs tmux on a server of this test's own (its socket `-S`), so that no other tmux session is touched or read. */
function tmux(socket: string, ...args: string[]): string {
  const run = spawnSync("tmux", ["-S", socket, "-f", "/dev/null", ...args], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

test("in a real terminal (tmux): readable messages, a prompt, an invalid line shown with its pointer, Ctrl-C, Ctrl-D", async () => {
  const version = spawnSync("tmux", ["-V"], { encoding: "utf8" });
  assert.ok(
    version.status === 0,
    "tmux is not installed: this test needs it to run typewire connect in a real terminal (apt-get install tmux)",
  );
  const server = await startEchoServer();
  const socket = join(tmpdir(), `typewire-connect-${process.pid}.tmux`);
  const [program, args] = connectCommand([server.url, "--protocol", ECHO]);
  const quoted = [program, ...args].map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(" ");
  /** Polls a session's pane until `pattern` shows, for at most 20 s (a loaded machine starts processes slowly). */
  const shows = async (pattern: RegExp, session = "connect"): Promise<string> => {
    const deadline = Date.now() + 20_000;
    let screen = "";
    while (Date.now() < deadline) {
      screen = tmux(socket, "capture-pane", "-p", "-t", session);
      if (pattern.test(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the terminal never showed ${pattern}:\n${screen}`);
  };
  try {
    // Two terminals at once: one ends with Ctrl-C, the other with Ctrl-D. The shell reports the exit status, then
    // waits (for a key this test never sends) so that the pane stays readable.
    for (const session of ["connect", "eof"]) {
      tmux(
        socket,
        "new-session",
        "-d",
        "-s",
        session,
        "-x",
        "160",
        "-y",
        "40",
        "-c",
        ROOT,
        `env -u NO_COLOR ${quoted}; echo "[exit $?]"; read never`,
      );
    }
    await shows(/^\* connected \(subprotocol "echo\.v1"\)$/m);
    await shows(/^< hello session=[12]$/m);
    await shows(/^>\s*$/m);
    tmux(socket, "send-keys", "-t", "connect", "-l", 'say seq=1 text="hello terminal"');
    tmux(socket, "send-keys", "-t", "connect", "Enter");
    await shows(/^< echo seq=1 text="hello terminal"$/m);
    tmux(socket, "send-keys", "-t", "connect", "-l", "say seq=oops text=x");
    tmux(socket, "send-keys", "-t", "connect", "Enter");
    const screen = await shows(/^! not sent: invalid "say" message at \/seq: /m);
    assert.match(
      screen,
      /^! not sent: invalid "say" message at \/seq: expected an integer of at least 0, found the string "oops"$/m,
    );
    assert.match(screen, /^> say seq=1 text="hello terminal"$/m, "the typed line stays, after the prompt");
    tmux(socket, "send-keys", "-t", "connect", "C-c");
    const end = await shows(/^\[exit \d+\]$/m);
    assert.match(end, /^\[exit 130\]$/m, "Ctrl-C: 130, after closing");

    await shows(/^< hello session=[12]$/m, "eof");
    tmux(socket, "send-keys", "-t", "eof", "-l", "ping seq=5");
    tmux(socket, "send-keys", "-t", "eof", "Enter");
    await shows(/^< pong seq=5$/m, "eof");
    tmux(socket, "send-keys", "-t", "eof", "C-d");
    const eof = await shows(/^\[exit \d+\]$/m, "eof");
    assert.match(eof, /^\* disconnected \(1000 normal closure\)\n\[exit 0\]$/m, `Ctrl-D: 0, after closing:\n${eof}`);

    assert.deepEqual(await server.closed(2), [{ code: 1000, reason: "" }, { code: 1000, reason: "" }], "clean closes");
    assert.deepEqual(
      server.frames.toSorted(),
      ['{"type":"ping","seq":5}', '{"type":"say","seq":1,"text":"hello terminal"}'],
      "the invalid line was not sent",
    );
  } finally {
    spawnSync("tmux", ["-S", socket, "kill-server"]);
    rmSync(socket, { force: true });
    await server.stop();
  }
});
