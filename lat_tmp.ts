import { loadServe } from "./src/server/this_runtime.ts";
const serve = await loadServe();
const server = await serve({ port: 0 }, { message: (s, d) => s.send(String(d)) });
const ws = new WebSocket(server.url);
await new Promise((r) => ws.onopen = r);
for (const size of [10, 4000, 64000]) {
  const msg = "x".repeat(size);
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    await new Promise((r) => {
      ws.onmessage = r;
      ws.send(msg);
    });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(size, "median ms", times[25].toFixed(2), "p90", times[45].toFixed(2));
}
ws.close();
await server.stop();
