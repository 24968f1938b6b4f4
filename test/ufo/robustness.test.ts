import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromUfoJson, UfoFormatError } from "../../src/ufo/index.js";
import { fixture, fixtureNames } from "./fixtures.js";

/** Calls fromUfoJson and fails the property on any error other than a UfoFormatError. */
function readsOrRejectsCleanly(value: unknown): void {
  try {
    fromUfoJson(value);
  } catch (error) {
    expect(error).toBeInstanceOf(UfoFormatError);
    expect(
      (error as UfoFormatError).message.startsWith(`${(error as UfoFormatError).path}: `),
    ).toBe(true);
  }
}

/** Every path (as key lists) inside a JSON value. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...paths(item, [...prefix, i])));
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) out.push(...paths(item, [...prefix, key]));
  }
  return out;
}

function replaceAt(
  root: unknown,
  path: readonly (string | number)[],
  replacement: unknown,
): unknown {
  if (path.length === 0) return replacement;
  const parent = path
    .slice(0, -1)
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root);
  (parent as Record<string | number, unknown>)[path[path.length - 1]!] = replacement;
  return root;
}

describe("fromUfoJson on hostile input", () => {
  it("only ever throws UfoFormatError on arbitrary values", () => {
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true, withBigInt: true, withMap: true, withDate: true }),
        readsOrRejectsCleanly,
      ),
      {
        numRuns: 500,
      },
    );
  });

  it("only ever throws UfoFormatError on fixtures with one value replaced", () => {
    const name = fc.constantFrom(...fixtureNames);
    fc.assert(
      fc.property(
        name,
        fc.nat(),
        fc.anything({ withBigInt: true, withNullPrototype: true }),
        (file, index, replacement) => {
          const document = fixture(file);
          const all = paths(document);
          readsOrRejectsCleanly(replaceAt(document, all[index % all.length]!, replacement));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("reads documents whose only changes are valid values", () => {
    // Replacing a free-form field (task_data, result, metadata) with any JSON object still reads.
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const document = fixture("example_constellation.json") as {
          tasks: { task_001: Record<string, unknown> };
        };
        document.tasks.task_001["task_data"] = value;
        document.tasks.task_001["result"] = value;
        const o = fromUfoJson(document);
        expect(JSON.parse(JSON.stringify(o.tasks["task_001"]!.params))).toEqual(
          JSON.parse(JSON.stringify(value)),
        );
      }),
      { numRuns: 200 },
    );
  });
});
