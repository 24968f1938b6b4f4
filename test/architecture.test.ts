/**
 * Keeps imports flowing one way (docs/architecture.md): each folder of the library (and each
 * top-level file of src/) is a unit in a row, and a file may import only from its own unit or
 * from an earlier row. A new folder must be given a row here and in the doc's table.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The layers, lowest first: a unit is a folder, or one of the top-level files of src/. */
const LAYERS: readonly (readonly string[])[] = [
  ["src/internal", "src/immer.ts"],
  ["src/orion"],
  ["src/events.ts", "src/ufo"],
  ["src/bus.ts", "src/pending"],
  ["operators"],
  ["src/synchronizer.ts"],
  ["src/agent", "src/orchestrator"],
  ["src/simulation", "redis", "testing"],
  ["src/timeline", "otel"],
  ["src/cli"],
];

/** Entry points (a subpath's barrel): they re-export from any layer, and nothing imports them. */
const ENTRIES: readonly string[] = ["src/index.ts", "src/simulation/index.ts"];

const rank = new Map(LAYERS.flatMap((units, i) => units.map((unit) => [unit, i] as const)));

/** The unit of a repository path: the longest layer unit it is in. */
function unitOf(path: string): string | undefined {
  let best: string | undefined;
  for (const unit of rank.keys()) {
    if ((path === unit || path.startsWith(`${unit}/`)) && unit.length > (best?.length ?? 0)) {
      best = unit;
    }
  }
  return best;
}

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join(folder, file));
}

const files = ["src", "operators", "testing", "redis", "otel"].flatMap(sources);

/** A static import or re-export: the specifier is group 1. */
const IMPORT = /^\s*(?:import|export)\b(?:[^"';]*?\bfrom)?\s*["']([^"']+)["']/gm;

/** Every relative import: importing file and imported file, both relative to the root. */
const imports = files.flatMap((file) =>
  [...readFileSync(join(root, file), "utf8").matchAll(IMPORT)]
    .map((match) => match[1]!)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => ({
      from: file,
      to: relative(root, resolve(root, dirname(file), specifier)).replace(/\.js$/, ".ts"),
    })),
);

describe("the layers", () => {
  it("give every source file a layer", () => {
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) {
      if (!ENTRIES.includes(file)) expect(unitOf(file), `${file} has no layer`).toBeDefined();
    }
  });

  it("let a file import only its own folder or a lower layer", () => {
    const upward: string[] = [];
    for (const { from, to } of imports) {
      if (ENTRIES.includes(from)) continue;
      const a = unitOf(from)!;
      const b = unitOf(to);
      expect(b, `${from} imports ${to}, outside every layer`).toBeDefined();
      if (ENTRIES.includes(to)) upward.push(`${from} imports the entry point ${to}`);
      else if (a !== b && rank.get(b!)! >= rank.get(a)!) upward.push(`${from} imports ${to}`);
    }
    expect(upward).toEqual([]);
  });

  it("are drawn in docs/architecture.md, row by row", () => {
    const doc = readFileSync(join(root, "docs/architecture.md"), "utf8");
    const table = /```text\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf("## Imports go one way")));
    // A row: its units, then its number, then two spaces and the description.
    const drawn = (table?.[1] ?? "")
      .split("\n")
      .map((line) => /^(\S.*?)\s+(\d)\s{2}\S/.exec(line))
      .filter((row) => row !== null)
      .map((row) => ({ row: Number(row[2]), units: row[1]!.split(/\s+/) }));
    const named = (unit: string): string =>
      statSync(join(root, unit)).isDirectory() ? `${unit}/` : unit;
    expect(drawn).toEqual(LAYERS.map((units, row) => ({ row, units: units.map(named) })));
  });
});
