// Run by tests/runtimes.test.ts on Node.js, against the built package (dist/): connects to the
// address given as the first argument, where no server listens yet, and prints each close event
// ("close <code>") and the open ("open"), then exits. The server is started once two attempts failed.
import { connect } from "../../dist/src/mod.js";
import { chatProtocol } from "../../dist/src/generated/chat.js";

const client = connect(chatProtocol, process.argv[2], { reconnect: { minDelay: 50, maxDelay: 200 } });
const timer = setTimeout(() => {
  console.log("timed out");
  process.exit(1);
}, 20_000);
client.onEvent("close", (event) => console.log(`close ${event.code}`));
client.onEvent("open", async () => {
  console.log("open");
  clearTimeout(timer);
  await client.close();
});
