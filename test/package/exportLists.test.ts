/**
 * Every name a user could import before issue 19 reorganised the tree, value or type, is still
 * exported: from the entry point it was in, or from the one it moved to (each move listed in
 * CHANGELOG.md). The names come from the TypeScript checker over the sources (the package's
 * own entry points are checked on the packed tarball by pack.test.ts).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";

const ENTRIES: Readonly<Record<string, string>> = {
  ".": "src/index.ts",
  "./operators": "operators/index.ts",
  "./testing": "testing/index.ts",
  "./redis": "redis/index.ts",
  "./otel": "otel/index.ts",
  "./simulation": "src/simulation/index.ts",
};

/** The simulation's functions and types: they left the main entry for orion-sync/simulation. */
const TO_SIMULATION = [
  "simulate",
  "demoOrion",
  "demoEdit",
  "markDependents",
  "declareDependents",
  "renderTimeline",
  "HeldPeriod",
  "MsRange",
  "SimulateOptions",
  "SimulatedHold",
  "SimulatedModification",
  "SimulatedTask",
  "SimulatedViolation",
  "SimulationProgress",
  "SimulationReport",
  "TimelineFormat",
];

/** Names that left an entry point: where they went. */
const MOVES: ReadonlyMap<string, { readonly from: string; readonly to: string }> = new Map(
  TO_SIMULATION.map((name) => [name, { from: ".", to: "./simulation" }]),
);

/** Names an entry point exports that none did before (new public API, also in CHANGELOG.md). */
const ADDED: Readonly<Record<string, readonly string[]>> = {
  "./simulation": [
    "DEMO_DEFAULTS",
    "DEMO_EDITED_TASK",
    "DEMO_INSERTED_TASK",
    "DEMO_REWIRED_TASK",
    "DEMO_TRIGGER_TASK",
  ],
};

const root = fileURLToPath(new URL("../../", import.meta.url));
const before = (
  JSON.parse(readFileSync(new URL("./exports-before.json", import.meta.url), "utf8")) as {
    entries: Record<string, string[]>;
  }
).entries;

/** Every entry point's exports, values and types, by the checker. */
let now: ReadonlyMap<string, ReadonlySet<string>>;

beforeAll(() => {
  const files = Object.values(ENTRIES).map((file) => `${root}${file}`);
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  now = new Map(
    Object.entries(ENTRIES).map(([entry, file]) => {
      const module = checker.getSymbolAtLocation(program.getSourceFile(`${root}${file}`)!)!;
      return [entry, new Set(checker.getExportsOfModule(module).map((s) => s.name))];
    }),
  );
}, 60_000);

describe("export lists", () => {
  it("keeps every earlier export where it was, unless it moved", () => {
    expect(Object.keys(before).length).toBe(5);
    for (const [entry, names] of Object.entries(before)) {
      const exported = now.get(entry)!;
      for (const name of names) {
        if (MOVES.get(name)?.from === entry) expect(exported, `${name} left`).not.toContain(name);
        else expect(exported, `${entry} still exports ${name}`).toContain(name);
      }
    }
  });

  it("exports each moved name from where it went, a value as the same value", async () => {
    for (const [name, { to }] of MOVES) expect(now.get(to), `${to}: ${name}`).toContain(name);
    const moved = (await import("../../src/simulation/index.js")) as Record<string, unknown>;
    const internal = (await import("../../src/simulation/simulate.js")) as Record<string, unknown>;
    expect(moved["simulate"]).toBe(internal["simulate"]);
  });

  it("adds nothing but what it declares", () => {
    for (const [entry, exported] of now) {
      const known = new Set([
        ...(before[entry] ?? []),
        ...[...MOVES].filter(([, move]) => move.to === entry).map(([name]) => name),
        ...(ADDED[entry] ?? []),
      ]);
      for (const name of exported) {
        expect(known, `${entry} exports ${name}, new and undeclared`).toContain(name);
      }
    }
  });

  it("lists every move and addition in CHANGELOG.md", () => {
    const changelog = readFileSync(new URL("../../CHANGELOG.md", import.meta.url), "utf8");
    // The top section: the changes not yet released.
    const top = changelog.indexOf("\n## ");
    const next = changelog.indexOf("\n## ", top + 1);
    const unreleased = changelog.slice(top, next < 0 ? undefined : next);
    for (const name of [...MOVES.keys(), ...Object.values(ADDED).flat()]) {
      expect(unreleased, `CHANGELOG.md names ${name}`).toContain(`\`${name}\``);
    }
    expect(unreleased).toContain("orion-sync/simulation");
  });
});
