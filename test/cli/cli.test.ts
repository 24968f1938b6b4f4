/**
 * The built CLI, run as a child process: `node dist/src/cli/main.js ...`. Vitest's global
 * setup (test/support/buildOnce.ts) builds it when missing or older than the sources.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeProgress } from "../../src/cli/progress.js";
import { main } from "../../src/cli/run.js";
import { fromUfoJson } from "../../src/ufo/fromUfoJson.js";
import { InvalidOrionError } from "../../src/orion/errors.js";
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
  return orionSyncWith({}, ...args);
}

function orionSyncWith(env: Record<string, string>, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: "utf8",
    env: {
      ...process.env,
      NO_COLOR: undefined,
      FORCE_COLOR: undefined,
      ORION_SYNC_PROGRESS_MS: undefined,
      ...env,
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The summary table's row `label`: its numbers, one per run. */
function row(stdout: string, label: string): number[] {
  const line = stdout.split("\n").find((l) => l.startsWith(label));
  if (line === undefined) throw new Error(`no row ${label} in:\n${stdout}`);
  return line.slice(label.length).trim().split(/\s+/).map(Number);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
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
    expect(run.stdout).toMatch(/^\s+without gate\s+with gate\s+scoped \(declared\)$/m);
    // Not a terminal: no control characters at all.
    const controls = [...run.stdout].filter((c) => c !== "\n" && (c < " " || c === "\u007f"));
    expect(controls).toEqual([]);
  });

  it("--json parses, and matches the printed summary", () => {
    const text = orionSync("demo").stdout;
    const json = orionSync("demo", "--json");
    expect(json.status).toBe(0);
    const { withoutGate, withGate, scoped } = JSON.parse(json.stdout) as {
      withoutGate: SimulationReport;
      withGate: SimulationReport;
      scoped: SimulationReport;
    };
    const measures: [string, (r: SimulationReport) => number][] = [
      ["tasks started stale", (r) => r.staleStarts],
      ["scope violations", (r) => r.scopeViolations.length],
      ["makespan (ms)", (r) => r.makespan],
      ["last task ended (ms)", (r) => r.lastTaskEndedAt],
      ["last answer (ms)", (r) => r.lastAnswerAt],
      ["held at the gate (ms)", (r) => r.heldMs],
      ["modifications", (r) => r.modifications.length],
      ["timeouts", (r) => r.timeouts],
    ];
    for (const [label, value] of measures) {
      expect(row(text, label), label).toEqual([value(withoutGate), value(withGate), value(scoped)]);
    }
    expect(scoped.scope).toBe("declared");
    expect(scoped.staleStarts).toBe(0);
    expect(scoped.scopeViolations).toEqual([]);
    // The scoped run holds less than the whole-orion gate, and its last task ends sooner.
    expect(scoped.heldMs).toBeLessThan(withGate.heldMs);
    expect(scoped.lastTaskEndedAt).toBeLessThan(withGate.lastTaskEndedAt);
    expect(text).toMatch(
      /^The scoped run \(declared\) had 0 stale start\(s\) and 0 scope violation/m,
    );
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

  it("--scope downstream: the scoped run holds descendants; the agent does not declare", () => {
    const json = JSON.parse(orionSync("demo", "--json", "--scope", "downstream").stdout) as {
      scoped: SimulationReport;
      withGate: SimulationReport;
    };
    expect(json.scoped.scope).toBe("downstream");
    expect(json.scoped.staleStarts).toBe(0);
    expect(json.scoped.taskHolds.length).toBeGreaterThan(0);
    expect(orionSync("demo", "--scope", "downstream").stdout).toMatch(
      /^\s+without gate\s+with gate\s+scoped \(downstream\)$/m,
    );
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
      const message = `${file}: ${new InvalidOrionError(o.id, validation.errors).message}`;
      expectError(
        run,
        new RegExp(
          `^orion-sync: error: ${escapeRegExp(message)} \\(expected for this file: its edges name tasks it does not define`,
        ),
      );
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

  it("--scope declared|downstream adds a scoped run beside the two others", () => {
    const file = tmpFile("demo2.json", JSON.stringify(demoOrion()));
    const plain = JSON.parse(orionSync("simulate", file, "--json").stdout) as object;
    expect(Object.keys(plain)).toEqual(["withoutGate", "withGate"]);
    for (const scope of ["declared", "downstream"]) {
      const run = orionSync("simulate", file, "--scope", scope);
      expect(run.status).toBe(0);
      const stale = row(run.stdout, "tasks started stale");
      expect(stale).toHaveLength(3);
      expect(stale[2]).toBe(0);
      expect(row(run.stdout, "scope violations")).toEqual([0, 0, 0]);
      expect(run.stdout).toContain(`scoped (${scope})`);
    }
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
    expectError(
      orionSync("demo", "--bogus"),
      'unknown option "--bogus": valid options: --help, --version, --agent-latency, --task-duration, --seed, --no-gate, --scope, --timeout, --json, --timeline',
    );
    expectError(
      orionSync("demo", "--scope", "orion"),
      '--scope: expected downstream or declared, got "orion"',
    );
    expectError(
      orionSync("demo", "--scope", "declared", "--no-gate"),
      "--scope: the scoped run needs the gate; drop --no-gate",
    );
    expectError(orionSync("deploy"), 'unknown command "deploy": expected demo, simulate or help');
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

describe("issue 17: what a new user trips over", () => {
  it("1. a large orion: a warning up front, then plain progress lines on stderr, --json clean", () => {
    let big = orion("big");
    for (let i = 0; i < 500; i++) big = big.task(`t${i}`, i < 25 ? {} : { after: `t${i - 25}` });
    const file = tmpFile("big.json", JSON.stringify(big.build()));
    const run = orionSyncWith(
      { ORION_SYNC_PROGRESS_MS: "0" },
      "simulate",
      file,
      "--json",
      "--no-gate",
    );
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveProperty("withoutGate");
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^orion-sync: warning: 500 tasks: a large orion takes a while/);
    const progress = lines.slice(1);
    expect(progress.length).toBeGreaterThan(3);
    for (const line of progress) {
      expect(line).toMatch(
        /^orion-sync: without gate: \d+\/500 tasks done, \d+ ms simulated, \d+ modification\(s\) pending, held 0 ms, .* elapsed/,
      );
    }
    expect(run.stderr).not.toContain("\r");
    // A small orion at the default interval: nothing on stderr.
    expect(orionSync("demo", "--json").stderr).toBe("");
  });

  it("1. the progress line's ETA extrapolates the wall time per task", () => {
    const p = { gated: true, done: 250, total: 1000, pending: 2, heldMs: 40, elapsed: 900 };
    expect(describeProgress(p, 30_000)).toBe(
      "250/1000 tasks done, 900 ms simulated, 2 modification(s) pending, held 40 ms, 30 s elapsed, ETA 1 min 30 s",
    );
    expect(describeProgress({ ...p, done: 0 }, 500)).not.toContain("ETA");
  });

  it("3. the README's simulate command is an npm script that builds first", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const command = /^npm run simulate -- (.*)$/m.exec(readme);
    expect(command, "README shows `npm run simulate -- …`").not.toBeNull();
    // The only command in a code block; `npx orion-sync` is for projects that installed it.
    expect(readme).not.toMatch(/^npx orion-sync simulate/m);
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts["simulate"]).toMatch(
      /^npm run build && node dist\/src\/cli\/main\.js simulate$/,
    );
  });

  it("4. option errors are ours: expected, given, the closest option", () => {
    expectError(
      orionSync("demo", "--timeout", "-5"),
      `--timeout: expected an integer from 1 to ${Number.MAX_SAFE_INTEGER}, got "-5"`,
    );
    expectError(
      orionSync("demo", "--seed", "-1"),
      '--seed: expected an integer from 0 to 4294967295, got "-1"',
    );
    expectError(orionSync("demo", "--sed", "4"), 'unknown option "--sed": did you mean --seed?');
    expectError(
      orionSync("demo", "--timline=x.html"),
      'unknown option "--timline": did you mean --timeline?',
    );
    expectError(
      orionSync("demo", "--nogate"),
      'unknown option "--nogate": did you mean --no-gate?',
    );
    expectError(
      orionSync("demo", "--seed"),
      "--seed: expected an integer from 0 to 4294967295, got nothing",
    );
    expectError(
      orionSync("demo", "--seed", "--json"),
      '--seed: expected an integer from 0 to 4294967295, got the option "--json"',
    );
    expectError(orionSync("demo", "--json=yes"), '--json: takes no value, got "yes"');
    expectError(
      orionSync("simulat", "x.json"),
      'unknown command "simulat": expected demo, simulate or help; did you mean simulate?',
    );
  });

  it("4. `orion-sync help simulate` is `simulate --help`", () => {
    expect(orionSync("help", "simulate")).toEqual(orionSync("simulate", "--help"));
    expect(orionSync("help", "demo")).toEqual(orionSync("demo", "--help"));
    expect(orionSync("help")).toEqual(orionSync("--help"));
    expect(orionSync("help").stdout).toContain("help [command]");
  });

  it("5. an unwritable --timeline path fails before simulating", () => {
    const missing = join(tmp, "no-such-dir", "plan.html");
    expectError(
      orionSync("demo", "--timeline", missing),
      `--timeline: cannot write ${missing}: no such directory (${join(tmp, "no-such-dir")})`,
    );
    const directory = join(tmp, "dir.html");
    mkdirSync(directory);
    expectError(
      orionSync("demo", "--timeline", directory),
      `--timeline: cannot write ${directory}: is a directory`,
    );
    // The check leaves no file behind, and an existing file is still replaced at the end.
    const fresh = join(tmp, "fresh.svg");
    expect(orionSync("demo", "--timeline", fresh).status).toBe(0);
    expect(readFileSync(fresh, "utf8")).toContain("<svg");
  });

  it("6. the demo says what its agent does and which tasks started stale", () => {
    const run = orionSync("demo");
    const lines = run.stdout.split("\n");
    expect(lines[1]).toMatch(
      /^The agent answers every completion by marking the completed task's dependents/,
    );
    expect(lines[1]).toContain("after clean_customers it also sets segment's segments to 8");
    expect(lines[2]).toMatch(/^A task starts stale when it starts before the agent has answered/);
    const stale = /^Stale without gate: (.*)\.$/m.exec(run.stdout)?.[1]?.split(", ") ?? [];
    expect(stale).toHaveLength(row(run.stdout, "tasks started stale")[0]!);
    expect(run.stdout).not.toMatch(/^Stale with gate/m);
    expect(orionSync("demo", "--help").stdout).toContain("marking the completed task's dependents");
  });

  it("2. --timeline of a large orion groups its lanes by level", () => {
    let big = orion("wide");
    for (let i = 0; i < 60; i++) big = big.task(`t${i}`, i < 20 ? {} : { after: `t${i - 20}` });
    const file = tmpFile("wide.json", JSON.stringify(big.build()));
    const out = join(tmp, "wide.svg");
    expect(orionSync("simulate", file, "--timeline", out).status).toBe(0);
    const svg = readFileSync(out, "utf8");
    expect(svg).toContain(">level 0 · 20 tasks</text>");
    expect(svg).toContain(">level 2 · 20 tasks</text>");
  });
});
