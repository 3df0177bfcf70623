/**
 * The chat room's names: which it refuses, how it cleans them up, and when two
 * names are one user (their skeleton, Unicode TS #39 over the case-folded name).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkName, nameKeys } from "../src/chat/server/names.ts";

/** Two names are one user when they share a key. */
const sameUser = (a: string, b: string) => nameKeys(a).some((key) => nameKeys(b).includes(key));
import { CONFUSABLES } from "../src/chat/server/confusables.ts";

const LOOK_ALIKES: readonly (readonly [string, string])[] = [
  ["Alice", "alice"],
  ["\u0430lice", "alice"], // Cyrillic a
  ["a1ice", "alice"],
  ["AL\u0406CE", "alice"], // Cyrillic I
  ["b0b", "bob"],
  ["\u0392\u03BF\u0392", "bob"], // Greek capital beta, small omicron
  ["\u0412\u041E\u0412", "BOB"], // Cyrillic capitals
  ["B\u041EB", "bob"],
  ["stra\u00DFe", "STRASSE"],
  ["\uFF41\uFF4C\uFF49\uFF43\uFF45", "alice"], // fullwidth
  ["Zoe\u0308", "Zo\u00EB"],
  ["\u{1D41A}lice", "alice"], // mathematical bold a
];

for (const [a, b] of LOOK_ALIKES) {
  test(`${JSON.stringify(a)} and ${JSON.stringify(b)} are one user: a skeleton in common`, () => {
    assert.ok(sameUser(a, b), `${nameKeys(a)} / ${nameKeys(b)}`);
  });
}

test("names that only share letters in another order, or differ in a letter, are different users", () => {
  const pairs = [["alice", "alica"], ["bob", "bobby"], ["ann", "nan"], ["Bill", "Bili"], [
    "\u5F20\u4F1F",
    "\u5F20\u4F2F",
  ]];
  for (const [a, b] of pairs as [string, string][]) assert.ok(!sameUser(a, b), `${a} / ${b}`);
});

test("accepted names are cleaned up: NFC, one space for every run of spaces, trimmed; emoji sequences stay whole", () => {
  const cases: readonly (readonly [string, string])[] = [
    ["  bob  ", "bob"],
    ["ann\u00A0\u2003 lee", "ann lee"],
    ["Zoe\u0308", "Zo\u00EB"],
    ["\u{1F469}\u200D\u{1F4BB}", "\u{1F469}\u200D\u{1F4BB}"], // woman technologist: a joiner between pictographs
    ["\u2764\uFE0F\u200D\u{1F525}", "\u2764\uFE0F\u200D\u{1F525}"], // heart on fire: selector, joiner
    ["\u05E9\u05B8\u05C1\u05DC\u05D5\u05B9\u05DD", "\u05E9\u05B8\u05C1\u05DC\u05D5\u05B9\u05DD"], // Hebrew with points
    ["\u5F20\u4F1F", "\u5F20\u4F1F"],
  ];
  for (const [requested, name] of cases) assert.deepEqual(checkName(requested), { ok: true, name }, requested);
});

test("invisible, control, bidi, unassigned and private-use characters are refused, as are joiners outside emoji", () => {
  const refused: readonly (readonly [string, RegExp])[] = [
    ["alice\u200B", /U\+200B \(an invisible character\)/],
    ["al\u200Dice", /U\+200D \(an invisible character\)/],
    ["al\u00ADice", /U\+00AD \(an invisible character\)/],
    ["\uFEFFalice", /U\+FEFF \(an invisible character\)/],
    ["alice\u2066", /U\+2066 \(a bidirectional control\)/],
    ["alice\u200F", /U\+200F \(a bidirectional control\)/],
    ["a\u2028b", /U\+2028 \(a control character or line break\)/],
    ["a\u007Fb", /U\+007F/],
    ["a\uE000b", /U\+E000 \(a private-use or unassigned code point\)/],
    ["a\u{E0041}", /U\+E0041/], // a tag character
    ["\u2800", /U\+2800 \(an invisible character\)/], // braille blank
    ["a\uFE0Fb", /U\+FE0F \(an invisible character\)/], // a selector after a letter
    ["\u3000", /only spaces/],
    ["\uDC00", /a lone surrogate/],
  ];
  for (const [name, reason] of refused) {
    const checked = checkName(name);
    assert.equal(checked.ok, false, JSON.stringify(name));
    assert.match((checked as { reason: string }).reason, reason, JSON.stringify(name));
  }
});

const NAMES = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }),
  fc.string({
    unit: fc.constantFrom(..."aAiIlL10oO\u0430\u0410\u0392\u03B2\u00DF\u03A3\u03C3\u03C2 -"),
    maxLength: 12,
  }),
);

test("the keys of a name with digits appended are the name's keys then the digits' (Redis builds candidates so)", () => {
  for (const digit of "0123456789") assert.equal(nameKeys(digit).length, 1, `${digit} has one key`);
  fc.assert(
    fc.property(NAMES, fc.nat(), (raw, counter) => {
      const checked = checkName(raw);
      if (!checked.ok) return;
      const digits = String(counter);
      const suffix = nameKeys(digits)[0];
      const expected = nameKeys(checked.name).map((key) => key + suffix);
      assert.deepEqual(nameKeys(checked.name + digits), [...new Set(expected)], JSON.stringify(checked.name + digits));
    }),
    { numRuns: 3_000 },
  );
});

test("every accepted name has one or two non-empty keys", () => {
  fc.assert(
    fc.property(NAMES, (raw) => {
      const checked = checkName(raw);
      if (!checked.ok) return;
      const keys = nameKeys(checked.name);
      assert.ok(keys.length >= 1 && keys.length <= 2 && keys.every((key) => key.length > 0), JSON.stringify(raw));
    }),
    { numRuns: 3_000 },
  );
});

test("the confusables table parses: every line a source code point and its prototype", () => {
  const lines = CONFUSABLES.trim().split("\n");
  assert.ok(lines.length > 4_000, `${lines.length} entries`);
  for (const line of lines) assert.match(line, /^[0-9A-F]{4,6}( [0-9A-F]{4,6})+$/, line);
});
