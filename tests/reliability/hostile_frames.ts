/**
 * Hostile frames, as fast-check arbitraries: what an attacker, a broken
 * client or a fuzzer sends. Each frame is labelled with its kind so that the
 * reports can say what was sent.
 */
import fc from "fast-check";
import { variantArbitraries } from "../support/arbitrary.ts";
import { committedProtocols } from "../support/protocols.ts";

/** A frame and what kind of hostility it carries. */
export interface HostileFrame {
  readonly kind: string;
  /** Text frames are strings; binary frames are bytes. */
  readonly frame: string | Uint8Array;
}

/** Markup that runs script if a page ever puts it into the DOM as HTML. */
export const SCRIPT_PAYLOADS: readonly string[] = [
  "<script>window.__pwned=1</script>",
  '<img src=x onerror="window.__pwned=2">',
  "<svg onload=window.__pwned=3>",
  '<iframe srcdoc="<script>parent.__pwned=4</script>"></iframe>',
  '<a href="javascript:window.__pwned=5">click</a>',
  "<scr<script>ipt>window.__pwned=6</scr</script>ipt>",
  '"><img src=x onerror=window.__pwned=7>',
  "<<img src=x onerror=window.__pwned=8>>",
  "<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=9>",
  "<details open ontoggle=window.__pwned=10>",
  "&lt;img src=x onerror=window.__pwned=11&gt;",
  "<img src=x onerror=window.__pwned=12",
];

const json = (value: unknown) => JSON.stringify(value);

/** Every valid message of the committed protocols, both directions. */
const validMessages = fc.oneof(
  ...committedProtocols.flatMap(({ model }) => variantArbitraries(model).map((v) => v.valid)),
);

/** A valid message with one thing wrong: a field replaced, removed or added, or its type changed. */
const nearValid = fc.tuple(validMessages, fc.nat(), fc.jsonValue({ maxDepth: 2 }), fc.nat({ max: 4 })).map(
  ([message, pick, value, how]) => {
    const copy: Record<string, unknown> = { ...message };
    const keys = Object.keys(copy);
    const key = keys[pick % keys.length] ?? "type";
    if (how === 0) copy[key] = value;
    else if (how === 1) delete copy[key];
    else if (how === 2) copy[`extra${pick % 7}`] = value;
    else if (how === 3) copy.type = ["message", "username", "id", "userlist", "video-offer", "", "Message"][pick % 7];
    else copy[key] = typeof copy[key] === "number" ? (copy[key] as number) + 0.5 : String(copy[key]).repeat(2);
    return json(copy);
  },
);

/** Prototype-polluting keys, at the top and inside. */
const pollution = fc.constantFrom(
  '{"type":"message","id":1,"text":"hi","date":1,"__proto__":{"polluted":true}}',
  '{"__proto__":{"type":"id","id":1}}',
  '{"type":"username","id":1,"name":"x","date":1,"constructor":{"prototype":{"polluted":true}}}',
  '{"type":"userlist","users":["a"],"__proto__":[]}',
  '{"type":"__proto__","target":"x"}',
  '{"type":"constructor"}',
  '{"type":"toString","target":"__proto__"}',
  '{"type":"video-offer","name":"a","target":"b","sdp":{"type":"offer","sdp":"x","__proto__":{"polluted":1}}}',
);

/**
 * Nesting deep enough to overflow a recursive parser or validator: anonymous
 * arrays and objects, and the recursive types of the tree protocol (a tree of
 * nodes, an expression of sums) from just under its nesting bound to far past it.
 */
const deep = fc.tuple(fc.integer({ min: 1_000, max: 50_000 }), fc.nat({ max: 3 })).map(([depth, how]) => {
  if (how === 0) return `{"type":"message","id":1,"date":1,"text":${"[".repeat(depth)}${"]".repeat(depth)}}`;
  if (how === 1) return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
  // From 121 nodes (243 levels, under MAX_DEPTH's 256) to far past it, at most about 100 KB: a live
  // server relays these to everyone, as types of another protocol. Deeper ones are in tests/recursive_schemas.test.ts.
  const levels = 120 + (depth % 4_000);
  if (how === 2) {
    return `{"type":"tree","seq":1,"root":${'{"value":1,"children":['.repeat(levels)}` +
      `{"value":1,"children":[]}${"]}".repeat(levels)}}`;
  }
  return `{"type":"evaluate","seq":1,"expr":${'{"kind":"sum","terms":['.repeat(levels)}` +
    `{"kind":"num","value":1}${"]}".repeat(levels)}}`;
});

/** Strings and arrays far past every bound. */
const huge = fc.tuple(fc.integer({ min: 5_000, max: 600_000 }), fc.nat({ max: 3 })).map(([size, how]) => {
  if (how === 0) return json({ type: "message", id: 1, text: "a".repeat(size), date: 1 });
  if (how === 1) return json({ type: "username", id: 1, name: "😀".repeat(size >> 2), date: 1 });
  if (how === 2) return `{"type":"userlist","users":[${'"n",'.repeat(Math.min(size, 400_000))}"n"]}`;
  return "x".repeat(size);
});

/** Lone halves of surrogate pairs, raw and escaped. */
const surrogates = fc.tuple(fc.constantFrom("\ud800", "\udfff", "\\ud800", "\\udc00x", "\ud83d"), fc.nat({ max: 2 }))
  .map(([half, where]) =>
    where === 0
      ? `{"type":"message","id":1,"text":"a${half}b","date":1}`
      : where === 1
      ? `{"type":"username","id":1,"name":"${half}","date":1}`
      : `{"type":"${half}"}`
  );

/** Chat lines and names that carry markup and script. */
const markup = fc.tuple(fc.constantFrom(...SCRIPT_PAYLOADS), fc.boolean()).map(([payload, asName]) =>
  asName
    ? json({ type: "username", id: 1, name: payload.slice(0, 64), date: 1 })
    : json({ type: "message", id: 1, text: payload, date: 1 })
);

/**
 * Hostile frames of every kind, mostly small. Huge and deep frames are rarer
 * (they cost milliseconds each) but always present in a run of thousands.
 *
 * @returns The arbitrary.
 */
export function hostileFrames(): fc.Arbitrary<HostileFrame> {
  const labelled = (kind: string, arbitrary: fc.Arbitrary<string | Uint8Array>, weight: number) => ({
    arbitrary: arbitrary.map((frame): HostileFrame => ({ kind, frame })),
    weight,
  });
  return fc.oneof(
    labelled("random text", fc.string({ unit: "binary", maxLength: 300 }), 20),
    labelled("random bytes", fc.uint8Array({ maxLength: 300 }), 5),
    labelled("random JSON", fc.jsonValue({ maxDepth: 4 }).map(json), 20),
    labelled("valid message", validMessages.map(json), 10),
    labelled("near-valid message", nearValid, 25),
    labelled("prototype keys", pollution, 5),
    labelled("deep nesting", deep, 1),
    labelled("huge strings and arrays", huge, 1),
    labelled("lone surrogates", surrogates, 5),
    labelled("markup and script", markup, 6),
  );
}
