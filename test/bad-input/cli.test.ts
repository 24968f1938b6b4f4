/**
 * Bad input into the `orion-sync` CLI: files and option values. Each is one line on stderr and
 * exit code 2 (and nothing on stdout), or a normal run. Most rows call `main()` in-process;
 * two run the built CLI as a child process (vitest's global setup builds it when missing or
 * older than the sources). Rows C1-C8 of docs/bad-input.md.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/run.js";
import type { JsonOutput } from "../../src/cli/run.js";
import { orion } from "../../src/orion/orion.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = join(root, "dist/src/cli/main.js");

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `main(args)` in-process, with string streams. */
async function inProcess(...args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const status = await main(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { status, stdout, stderr };
}

/** The built CLI as a child process. */
function spawned(...args: string[]): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectError(run: Run, message: string | RegExp): void {
  expect(run.status).toBe(2);
  expect(run.stdout).toBe("");
  expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  if (typeof message === "string") expect(run.stderr).toBe(`orion-sync: error: ${message}\n`);
  else expect(run.stderr).toMatch(message);
}

let tmp = "";
const file = (name: string, text: string): string => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "orion-sync-bad-input-"));
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A UFO constellation with one task field overridden. */
const ufo = (task: Record<string, unknown>): string =>
  JSON.stringify({
    constellation_id: "c1",
    tasks: { t1: { task_id: "t1", name: "one", ...task } },
    dependencies: {},
  });

describe("CLI: bad files", () => {
  it("C1 a UFO file with a wrong enum string (child process): exit 2, the JSON path", () => {
    const bad = file("enum.json", ufo({ status: "DONE" }));
    expectError(
      spawned("simulate", bad),
      `${bad}: not a UFO constellation: tasks.t1.status: expected one of "pending", "waiting_dependency", "running", "completed", "failed", "cancelled" (or its upper-case name), got "DONE"`,
    );
  });

  it("C2 an orion with a self-loop, and one with a dependency to a missing task", async () => {
    const loop = file(
      "loop.json",
      JSON.stringify(orion("o").task("a").dependency("a", "a").build()),
    );
    expectError(
      await inProcess("simulate", loop),
      /is invalid: dependency "a->a" makes task "a" depend on itself/,
    );
    const missing = file(
      "missing.json",
      JSON.stringify(orion("o").task("a").dependency("ghost", "a").build()),
    );
    expectError(await inProcess("simulate", missing), /names missing source task "ghost"/);
  });

  it("C3 JSON that is not an orion: null, and tasks of the wrong shape", async () => {
    expectError(
      await inProcess("simulate", file("null.json", "null")),
      /not an orion: \$: expected an object/,
    );
    const shape = file(
      "shape.json",
      JSON.stringify({ id: "o", tasks: { a: { id: "a" } }, dependencies: {} }),
    );
    expectError(
      await inProcess("simulate", shape),
      /not an orion: tasks\["a"\]\.name: expected a string/,
    );
  });

  it("C4 __proto__ and constructor as task ids (child process): runs, exit 0", () => {
    const text =
      '{"id":"p","tasks":{"__proto__":{"id":"__proto__","name":"p","status":"pending","params":{}},' +
      '"constructor":{"id":"constructor","name":"c","status":"pending","params":{}}},' +
      '"dependencies":{"d":{"id":"d","fromTaskId":"__proto__","toTaskId":"constructor","type":"success_only"}}}';
    const run = spawned("simulate", file("proto.json", text), "--json");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const { withGate } = JSON.parse(run.stdout) as JsonOutput;
    expect(withGate?.tasks.map((t) => [t.id, t.status])).toEqual([
      ["__proto__", "completed"],
      ["constructor", "completed"],
    ]);
    expect(withGate?.staleStarts).toBe(0);
  });

  it("C5 a 10 MB task description: runs", async () => {
    const big = orion("big")
      .task("a", { description: "d".repeat(10 * 1024 * 1024) })
      .task("b", { after: "a" });
    const run = await inProcess(
      "simulate",
      file("big.json", JSON.stringify(big.build())),
      "--json",
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as JsonOutput).withGate?.tasks).toHaveLength(2);
  });

  it("C6 a directory instead of a file", async () => {
    expectError(await inProcess("simulate", tmp), `${tmp}: is a directory`);
  });
});

describe("CLI: bad option values", () => {
  it("C7 --timeout NaN, negative, 0, Infinity, fractional, huge", async () => {
    for (const value of ["NaN", "-5", "0", "Infinity", "1.5", "1e3", "99999999999999999999"]) {
      expectError(
        await inProcess("demo", `--timeout=${value}`),
        `--timeout: expected an integer from 1 to ${Number.MAX_SAFE_INTEGER}, got ${JSON.stringify(value)}`,
      );
    }
  });

  it("C8 --agent-latency and --seed out of range", async () => {
    expectError(
      await inProcess("demo", "--agent-latency=-1"),
      '--agent-latency: expected <ms> or <min>-<max> (integers, min <= max), got "-1"',
    );
    // Without "=", a value starting with a dash is still the option's value, and ours to judge.
    expectError(
      await inProcess("demo", "--timeout", "-5"),
      `--timeout: expected an integer from 1 to ${Number.MAX_SAFE_INTEGER}, got "-5"`,
    );
    expectError(
      await inProcess("demo", "--seed", String(2 ** 32)),
      /--seed: expected an integer from 0 to 4294967295/,
    );
  });
});
