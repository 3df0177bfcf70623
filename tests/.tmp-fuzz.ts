import { fuzzCodecs } from "./reliability/fuzz.ts";
import fc from "fast-check";
import { hostileFrames } from "./reliability/hostile_frames.ts";
let t = performance.now();
const f = fuzzCodecs(5000, 1);
console.log("fuzz 5000:", ((performance.now() - t) / 1000).toFixed(2), "s", f.decoders, f.encoderCalls);
t = performance.now();
fc.sample(hostileFrames(), 5000);
console.log("generate only 5000:", ((performance.now() - t) / 1000).toFixed(2), "s");
