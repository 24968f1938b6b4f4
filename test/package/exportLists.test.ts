/**
 * Every name a user could import before issue 19 reorganised the tree is still importable:
 * from the entry point it was in, or from the one it moved to (each move listed in
 * CHANGELOG.md). Runtime names, from the sources (the package's own entry points are checked
 * on the packed tarball by pack.test.ts).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const ENTRIES: Readonly<Record<string, string>> = {
  ".": "../../src/index.js",
  "./operators": "../../operators/index.js",
  "./testing": "../../testing/index.js",
  "./redis": "../../redis/index.js",
  "./otel": "../../otel/index.js",
  "./simulation": "../../src/simulation/index.js",
};

/** Names that left an entry point: where they went. */
const MOVES: Readonly<Record<string, { readonly from: string; readonly to: string }>> = {
  simulate: { from: ".", to: "./simulation" },
  demoOrion: { from: ".", to: "./simulation" },
  demoEdit: { from: ".", to: "./simulation" },
  markDependents: { from: ".", to: "./simulation" },
  declareDependents: { from: ".", to: "./simulation" },
  renderTimeline: { from: ".", to: "./simulation" },
};

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

const before = (
  JSON.parse(readFileSync(new URL("./exports-before.json", import.meta.url), "utf8")) as {
    entries: Record<string, string[]>;
  }
).entries;

async function namesOf(entry: string): Promise<string[]> {
  return Object.keys((await import(ENTRIES[entry]!)) as object).sort();
}

describe("export lists", () => {
  it("keeps every earlier export where it was, unless it moved", async () => {
    for (const [entry, names] of Object.entries(before)) {
      const now = new Set(await namesOf(entry));
      for (const name of names) {
        const move = MOVES[name];
        if (move?.from === entry) expect(now, `${name} left ${entry}`).not.toContain(name);
        else expect(now, `${entry} still exports ${name}`).toContain(name);
      }
    }
  });

  it("exports each moved name from where it went, as the same value", async () => {
    for (const [name, { to }] of Object.entries(MOVES)) {
      expect(await namesOf(to), `${to} exports ${name}`).toContain(name);
    }
    const moved = (await import(ENTRIES["./simulation"]!)) as Record<string, unknown>;
    const internal = (await import("../../src/simulation/simulate.js")) as Record<string, unknown>;
    expect(moved["simulate"]).toBe(internal["simulate"]);
  });

  it("adds nothing but what it declares", async () => {
    for (const entry of Object.keys(ENTRIES)) {
      const earlier = new Set([
        ...(before[entry] ?? []),
        ...Object.entries(MOVES)
          .filter(([, move]) => move.to === entry)
          .map(([name]) => name),
        ...(ADDED[entry] ?? []),
      ]);
      for (const name of await namesOf(entry)) {
        expect(earlier, `${entry} exports ${name}, new and undeclared`).toContain(name);
      }
    }
  });

  it("lists every move and addition in CHANGELOG.md", () => {
    const changelog = readFileSync(new URL("../../CHANGELOG.md", import.meta.url), "utf8");
    // The top section: the changes not yet released.
    const top = changelog.indexOf("\n## ");
    const next = changelog.indexOf("\n## ", top + 1);
    const unreleased = changelog.slice(top, next < 0 ? undefined : next);
    for (const name of [...Object.keys(MOVES), ...Object.values(ADDED).flat()]) {
      expect(unreleased, `CHANGELOG.md names ${name}`).toContain(`\`${name}\``);
    }
    expect(unreleased).toContain("orion-sync/simulation");
  });
});
