/**
 * The built CLI, run as a child process: `node dist/src/cli/main.js ...`. Vitest's global
 * setup (test/support/buildOnce.ts) builds it when missing or older than the sources.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/run.js";
import { fromUfoJson } from "../../src/ufo/fromUfoJson.js";
import { InvalidOrionError } from "../../src/orion/InvalidOrionError.js";
import { orion } from "../../src/orion/orion.js";
import { validateOrion } from "../../src/orion/validateOrion.js";
import { demoOrion } from "../../src/simulation/demoOrion.js";
import type { SimulationReport } from "../../src/simulation/types.js";
import { fixture, fixtureNames } from "../ufo/fixtures.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = join(root, "dist/src/cli/main.js");

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function orionSync(...args: string[]): Run {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The summary table's row `label`: its numbers, one per run. */
function row(stdout: string, label: string): number[] {
  const line = stdout.split("\n").find((l) => l.startsWith(label));
  if (line === undefined) throw new Error(`no row ${label} in:\n${stdout}`);
  return line.slice(label.length).trim().split(/\s+/).map(Number);
}

function expectError(run: Run, message: string | RegExp): void {
  expect(run.status).toBe(2);
  expect(run.stdout).toBe("");
  expect(run.stderr.endsWith("\n")).toBe(true);
  expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  if (typeof message === "string") expect(run.stderr).toBe(`orion-sync: error: ${message}\n`);
  else expect(run.stderr).toMatch(message);
}

let tmp = "";

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "orion-sync-cli-"));
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tmpFile(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

describe("orion-sync demo", () => {
  it("prints stale starts > 0 without the gate and 0 with it, as plain lines", () => {
    const run = orionSync("demo");
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    const [without, withGate] = row(run.stdout, "tasks started stale");
    expect(without).toBeGreaterThan(0);
    expect(withGate).toBe(0);
    expect(run.stdout).toMatch(/^\s+without gate\s+with gate$/m);
    // Not a terminal: no control characters at all.
    const controls = [...run.stdout].filter((c) => c !== "\n" && (c < " " || c === "\u007f"));
    expect(controls).toEqual([]);
  });

  it("--json parses, and matches the printed summary", () => {
    const text = orionSync("demo").stdout;
    const json = orionSync("demo", "--json");
    expect(json.status).toBe(0);
    const { withoutGate, withGate } = JSON.parse(json.stdout) as {
      withoutGate: SimulationReport;
      withGate: SimulationReport;
    };
    const measures: [string, (r: SimulationReport) => number][] = [
      ["tasks started stale", (r) => r.staleStarts],
      ["makespan (ms)", (r) => r.makespan],
      ["held at the gate (ms)", (r) => r.heldMs],
      ["modifications", (r) => r.modifications.length],
      ["timeouts", (r) => r.timeouts],
    ];
    for (const [label, value] of measures) {
      expect(row(text, label), label).toEqual([value(withoutGate), value(withGate)]);
    }
    expect(withoutGate.gated).toBe(false);
    expect(withGate.gated).toBe(true);
    expect(withGate.seed).toBe(42);
  });

  it("the same --seed gives byte-identical --json; another seed does not", () => {
    const a = orionSync("demo", "--json", "--seed", "7");
    const b = orionSync("demo", "--json", "--seed", "7");
    const c = orionSync("demo", "--json", "--seed", "8");
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(c.stdout).not.toBe(a.stdout);
  });

  it("--no-gate runs only the ungated run; --timeout counts timeouts", () => {
    const only = JSON.parse(orionSync("demo", "--json", "--no-gate").stdout) as object;
    expect(Object.keys(only)).toEqual(["withoutGate"]);
    const slow = JSON.parse(
      orionSync("demo", "--json", "--agent-latency", "500", "--timeout", "100").stdout,
    ) as { withGate: SimulationReport };
    expect(slow.withGate.timeouts).toBeGreaterThan(0);
  });
});

describe("orion-sync simulate", () => {
  it.each(fixtureNames)("%s: runs if valid, else exits 2 with validateOrion's error", (name) => {
    const file = join("test/ufo/fixtures", name);
    const run = orionSync("simulate", file);
    const o = fromUfoJson(fixture(name));
    const validation = validateOrion(o);
    if (validation.ok) {
      expect(run.status).toBe(0);
      expect(row(run.stdout, "tasks started stale")[1]).toBe(0);
      expect(row(run.stdout, "tasks run")).toEqual([
        Object.keys(o.tasks).length,
        Object.keys(o.tasks).length,
      ]);
    } else {
      expectError(run, `${file}: ${new InvalidOrionError(o.id, validation.errors).message}`);
      expect(run.stderr).toContain('names missing source task "task_001"');
    }
  });

  it("reads our own orion JSON too", () => {
    const file = tmpFile("demo.json", JSON.stringify(demoOrion()));
    const run = JSON.parse(orionSync("simulate", file, "--json").stdout) as {
      withGate: SimulationReport;
      withoutGate: SimulationReport;
    };
    expect(run.withGate.orionId).toBe("demo");
    expect(run.withGate.staleStarts).toBe(0);
    expect(run.withoutGate.staleStarts).toBeGreaterThan(0);
  });
});

describe("errors: one line on stderr, exit code 2", () => {
  it("a missing file", () => {
    expectError(orionSync("simulate", "nope.json"), "nope.json: no such file");
  });

  it("unreadable JSON, with line and column", () => {
    const trailing = tmpFile("trailing.json", '{\n  "id": "x",\n}\n');
    expectError(
      orionSync("simulate", trailing),
      `${trailing}:3:1: invalid JSON: Expected double-quoted property name`,
    );
    const token = tmpFile("token.json", '{\n  "id": tru\n}');
    expectError(
      orionSync("simulate", token),
      `${token}:2:12: invalid JSON: Unexpected token "\\n"`,
    );
    const truncated = tmpFile("truncated.json", '{\n  "id": "x"');
    expectError(
      orionSync("simulate", truncated),
      `${truncated}:2:12: invalid JSON: Expected ',' or '}' after property value`,
    );
    const empty = tmpFile("empty.json", "");
    expectError(
      orionSync("simulate", empty),
      `${empty}:1:1: invalid JSON: Unexpected end of JSON input`,
    );
  });

  it("an invalid orion: the validation error, e.g. the cycle path", () => {
    const cyclic = orion("loop")
      .task("a", { after: "c" })
      .task("b", { after: "a" })
      .task("c", { after: "b" })
      .build();
    const file = tmpFile("cyclic.json", JSON.stringify(cyclic));
    const run = orionSync("simulate", file);
    expectError(
      run,
      /^orion-sync: error: .*cyclic\.json: orion "loop" is invalid: .*cycle.*a.*b.*c.*a/,
    );
    const notAnOrion = tmpFile("array.json", "[1, 2]");
    expectError(orionSync("simulate", notAnOrion), /not an orion: \$: expected an object/);
  });

  it("bad option values, unknown options and commands", () => {
    expectError(
      orionSync("demo", "--seed", "x"),
      '--seed: expected an integer from 0 to 4294967295, got "x"',
    );
    expectError(
      orionSync("demo", "--agent-latency", "5-1"),
      '--agent-latency: expected <ms> or <min>-<max> (integers, min <= max), got "5-1"',
    );
    expectError(orionSync("demo", "--task-duration", "fast"), /--task-duration: expected/);
    expectError(orionSync("demo", "--timeout", "0"), /--timeout: expected an integer from 1/);
    expectError(orionSync("demo", "--timeline", "out.png"), /--timeline: expected a file ending/);
    expectError(orionSync("demo", "--bogus"), /Unknown option '--bogus'/);
    expectError(orionSync("deploy"), 'unknown command "deploy" (expected demo or simulate)');
    expectError(orionSync("simulate"), "simulate: missing <file.json>");
    expectError(orionSync(), /missing command/);
  });
});

describe("--help and --version", () => {
  it("--help for the program and each command", () => {
    for (const [args, first] of [
      [["--help"], "Usage: orion-sync <command> [options]"],
      [["demo", "--help"], "Usage: orion-sync demo [options]"],
      [["simulate", "--help"], "Usage: orion-sync simulate <file.json> [options]"],
    ] as const) {
      const run = orionSync(...args);
      expect(run.status).toBe(0);
      expect(run.stdout.split("\n")[0]).toBe(first);
    }
    expect(orionSync("simulate", "-h").stdout).toContain("--agent-latency");
  });

  it("--version prints package.json's version", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    const run = orionSync("--version");
    expect(run).toEqual({ status: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });
});

describe("--timeline", () => {
  it("writes the html and svg timelines of both runs", () => {
    for (const ext of ["html", "svg"]) {
      const file = join(tmp, `timeline.${ext}`);
      const run = orionSync("demo", "--timeline", file);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`timeline written to ${file}`);
      const text = readFileSync(file, "utf8");
      expect(text).toContain(ext === "svg" ? "<svg" : "<html");
    }
    const json = orionSync("demo", "--json", "--timeline", join(tmp, "t.svg"));
    expect(JSON.parse(json.stdout)).toHaveProperty("withGate");
    expect(json.stderr).toBe(`timeline written to ${join(tmp, "t.svg")}\n`);
  });
});

describe("on a terminal (in-process, a fake TTY)", () => {
  it("a progress line per run with \\r, then the summary", async () => {
    let stdout = "";
    let stderr = "";
    const code = await main(["demo"], {
      stdout: { isTTY: true, write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
    });
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toContain("\r");
    expect(stdout).toMatch(/running without gate/);
    expect(stdout).toMatch(/makespan \(ms\)/);
  });
});
