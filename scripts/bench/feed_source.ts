/**
 * The cluster fault runs' publisher, in a process of its own: a member of a
 * feed cluster (Redis or NATS) that serves no client and publishes `entry`
 * messages n = 0, 1, 2... to one resumable topic at a steady rate, through a
 * typed server's `publish`. Each goes into the cluster's outbox, so what is
 * published while the engine is away waits there and is appended, in order,
 * once it is back.
 *
 * Prints "listening 0 <instance id>" once its cluster is started (port 0: it
 * serves no one; `startServer` waits for that line), "at <count>" every
 * 100 ms (entries published so far), `status <JSON>` for what its cluster
 * reports; on SIGTERM it stops publishing, waits until its outbox is empty
 * (at most 4 s) and prints "done <count> <outbox>" before it exits.
 *
 * Usage: feed_source.ts --engine redis|nats --url <url> [--topic feed] [--rate 200] [--heartbeat-ms N] [--ttl-ms N]
 *   [--window-messages N] [--window-ms N]
 */
import process from "node:process";
import { commandLine, option } from "../args.ts";
import { CLUSTER_USAGE, clusterFromOptions } from "./feed_server.ts";
import { feedServer } from "../../tests/support/feed_server.ts";

const options = commandLine(`usage: feed_source.ts ${CLUSTER_USAGE} [--topic feed] [--rate 200]`);
const topic = option(options, "topic", "feed");
const rate = Number(option(options, "rate", "200"));
if (!(rate > 0)) throw new RangeError(`--rate must be a positive number of entries a second, not ${rate}`);

const server = feedServer({ cluster: clusterFromOptions(options) });
await server.cluster.start();
console.log(`listening 0 ${server.cluster.instance}`);

const started = performance.now();
let count = 0;
/** Publishes every entry due by now: the rate holds on average even when a timer fires late. */
const publishDue = () => {
  const due = Math.floor((performance.now() - started) * rate / 1_000);
  for (; count < due; count++) server.publish(topic, { type: "entry", topic, n: count, text: String(Date.now()) });
};
const ticker = setInterval(publishDue, Math.max(1, Math.min(10, 1_000 / rate)));
const reporter = setInterval(() => console.log(`at ${count}`), 100);

process.on("SIGTERM", async () => {
  clearInterval(ticker);
  clearInterval(reporter);
  const deadline = Date.now() + 4_000;
  while (server.cluster.outbox > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  console.log(`done ${count} ${server.cluster.outbox}`);
  await server.cluster.close();
  process.exit(0);
});
