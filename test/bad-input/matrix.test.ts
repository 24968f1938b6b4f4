/**
 * Keeps docs/bad-input.md and this directory in step: every row names a test that exists (in
 * the file it says), and every test here (but this one) has its row.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const here = new URL("./", import.meta.url);
const doc = readFileSync(new URL("../../docs/bad-input.md", import.meta.url), "utf8");

interface Row {
  readonly id: string;
  readonly file: string;
  readonly test: string;
}

/** The table rows: `| id | ... | \`file\` › test name |`. */
const rows: Row[] = doc.split("\n").flatMap((line) => {
  const match = /^\| ([A-Z]\d+) +\|.*\| `([\w.]+)` › (.+?) +\|$/.exec(line);
  return match ? [{ id: match[1]!, file: match[2]!, test: match[3]!.replaceAll("\\_", "_") }] : [];
});

/** The row-numbered test names of each test file: `it("E1 ...")` and `it.each` entries. */
const tests = new Map<string, string[]>(
  readdirSync(here)
    .filter((name) => name.endsWith(".test.ts") && name !== "matrix.test.ts")
    .map((name) => {
      const source = readFileSync(new URL(name, here), "utf8");
      return [name, [...source.matchAll(/"([A-Z]\d+ [^"]+)"/g)].map((m) => m[1]!)];
    }),
);

describe("the bad-input matrix", () => {
  it("has at least 40 rows with unique ids", () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it("every row names a test of the file it says", () => {
    for (const row of rows) {
      const names = tests.get(row.file) ?? [];
      // it.each titles extend their entry ("O1 a cycle" + ": ..."), so match by prefix.
      expect(
        names.some((name) => row.test.startsWith(name)),
        `${row.id}: ${row.test}`,
      ).toBe(true);
    }
  });

  it("every test has its row", () => {
    for (const [file, names] of tests) {
      for (const name of names) {
        const id = name.split(" ")[0];
        const row = rows.find((r) => r.id === id);
        expect(row?.file, name).toBe(file);
        expect(row?.test.startsWith(name), name).toBe(true);
      }
    }
  });
});
