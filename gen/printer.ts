/**
 * The printer generated modules are written through. It tracks indentation
 * and the runtime symbols used, so import lines are derived from the code
 * instead of built by hand, and a schema type that shares a runtime symbol's
 * name gets the import aliased.
 *
 * @module
 */

/**
 * Accumulates one generated module.
 *
 * @example
 * ```ts
 * import { ModulePrinter } from "./printer.ts";
 * const p = new ModulePrinter("../runtime/mod.ts", new Set());
 * p.block(`export function f(x: string): string {`, () => p.line(`return ${p.runtime("quote")}(x);`));
 * console.log(p.render(["// generated"]));
 * ```
 */
export class ModulePrinter {
  readonly #lines: string[] = [];
  readonly #imports = new Map<string, { local: string; typeOnly: boolean }>();
  #depth = 0;

  /**
   * @param runtimeSpecifier Where generated code imports typewire's runtime from.
   * @param taken Names the module declares itself; runtime imports are aliased around them.
   */
  constructor(private readonly runtimeSpecifier: string, private readonly taken: ReadonlySet<string>) {}

  /** Imports a runtime value (and its type, if it has one) and returns its local name. */
  runtime(name: string): string {
    return this.#import(name, false);
  }

  /** Imports a runtime type and returns its local name. */
  runtimeType(name: string): string {
    return this.#import(name, true);
  }

  #import(name: string, typeOnly: boolean): string {
    const known = this.#imports.get(name);
    if (known !== undefined) {
      if (!typeOnly) known.typeOnly = false;
      return known.local;
    }
    let local = name;
    while (this.taken.has(local)) local += "_";
    this.#imports.set(name, { local, typeOnly });
    return local;
  }

  /** Prints one line at the current indentation (an empty line when no text). */
  line(text = ""): void {
    this.#lines.push(text === "" ? "" : "  ".repeat(this.#depth) + text);
  }

  /** Prints a JSDoc comment; does nothing for empty text. */
  doc(text: string | undefined): void {
    if (text === undefined || text.trim() === "") return;
    const body = text.trim().replaceAll("*/", "*\\/").split("\n");
    if (body.length === 1) {
      this.line(`/** ${body[0]} */`);
      return;
    }
    this.line("/**");
    for (const row of body) this.line(row.trim() === "" ? " *" : ` * ${row}`);
    this.line(" */");
  }

  /** Prints `head`, the body one level deeper, then `tail`. */
  block(head: string, body: () => void, tail = "}"): void {
    this.line(head);
    this.#depth++;
    body();
    this.#depth--;
    this.line(tail);
  }

  /**
   * Joins the header, the import lines and the body.
   *
   * @param header Comment lines that open the file (the generated-file notice first).
   * @returns The module's text, ending in one newline.
   */
  render(header: readonly string[]): string {
    const sorted = [...this.#imports].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const spec = ([name, { local }]: [string, { local: string }]) => (name === local ? name : `${name} as ${local}`);
    const types = sorted.filter(([, i]) => i.typeOnly).map(spec);
    const values = sorted.filter(([, i]) => !i.typeOnly).map(spec);
    const from = JSON.stringify(this.runtimeSpecifier);
    const imports = [
      ...(types.length ? [`import type { ${types.join(", ")} } from ${from};`] : []),
      ...(values.length ? [`import { ${values.join(", ")} } from ${from};`] : []),
    ];
    const body = [...this.#lines];
    while (body.at(-1) === "") body.pop();
    return [...header, "", ...imports, "", ...body].join("\n") + "\n";
  }
}
