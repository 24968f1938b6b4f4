/**
 * Compares two revisions by the instructions a synced (or plain) orchestration executes per task,
 * counted by valgrind's cachegrind: a number that repeats to about 0.5% from run to run, where
 * wall-clock times on a shared 2-core machine moved by 2–3× (see docs/performance.md). It
 * measures work, not memory stalls: a change that only shrinks what survives a scavenge shows
 * up in the timed bench, not here.
 *
 * `npm run build && node dist/bench/instructions.js a396990 HEAD [tasks] [synced|plain]`
 * (tasks from 100 to 1,500, default 1,000; needs valgrind).
 *
 * Each revision is checked out in a temporary worktree and built there. The count of a run is
 * taken as the difference between a process that does 8 runs and one that does 4, after the
 * same warm-up, so start-up, loading and compilation cancel out. V8 runs single-threaded and
 * predictable (its compiler and collector on the main thread, a fixed random seed), with a
 * young generation large enough that no scavenge runs: otherwise a change that allocates a
 * little more or less shifts when scavenges happen, and so what survives them, and the count
 * moves by ±5% for reasons that have nothing to do with the change.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
// Types only: the modules themselves are loaded from the revision's build.
import type * as Agent from "../src/agent/createScriptedAgent.js";
import type * as Bus from "../src/bus.js";
import type * as Run from "../src/orchestrator/runOrion.js";
import type * as Sync from "../src/synchronizer.js";
import type * as Orions from "./orionRun.js";

/** The repository root: this file runs from `dist/bench/`. */
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const NODE_FLAGS = [
  "--single-threaded",
  "--predictable",
  "--random-seed=1",
  "--min-semi-space-size=256",
  "--max-semi-space-size=256",
];
const FEW_RUNS = 4;
const MANY_RUNS = 8;

type Mode = "synced" | "plain";

/** Runner mode: `runs` runs of `tasks` tasks of the build in `dist`, after three of 1,000. */
async function run(dist: string, tasks: number, runs: number, mode: Mode): Promise<void> {
  const load = async <T>(path: string): Promise<T> =>
    (await import(pathToFileURL(join(dist, path)).href)) as T;
  const { createEventBus } = await load<typeof Bus>("src/bus.js");
  const { createScriptedAgent } = await load<typeof Agent>("src/agent/createScriptedAgent.js");
  const { runOrion } = await load<typeof Run>("src/orchestrator/runOrion.js");
  const { OrionModificationSynchronizer } = await load<typeof Sync>("src/synchronizer.js");
  const { layeredOrion } = await load<typeof Orions>("bench/orionRun.js");
  const { queueScheduler } = await import("rxjs");
  // Built before anything is counted: the orions are the same in both processes.
  const warmUp = layeredOrion(1_000, 7);
  const measured = layeredOrion(tasks, 7);
  const once = async (orion: ReturnType<typeof layeredOrion>): Promise<void> => {
    const bus = createEventBus();
    const synchronizer = mode === "synced" ? new OrionModificationSynchronizer() : undefined;
    const connection = synchronizer ? bus.subscribe(synchronizer) : undefined;
    const agent = synchronizer
      ? createScriptedAgent(bus, { latency: 0, scheduler: queueScheduler, edit: () => undefined })
      : undefined;
    const result = await runOrion(orion, {
      bus,
      synchronizer,
      executeTask: () => null,
    });
    agent?.stop();
    connection?.unsubscribe();
    synchronizer?.dispose();
    if (result.outcome !== "completed") throw new Error(`run ended ${result.outcome}`);
  };
  for (let i = 0; i < 3; i++) await once(warmUp);
  for (let i = 0; i < runs; i++) await once(measured);
}

/** The instructions cachegrind counts for one runner process. */
function instructions(dist: string, tasks: number, runs: number, mode: Mode): number {
  const self = fileURLToPath(import.meta.url);
  const args = [
    "--tool=cachegrind",
    "--cache-sim=no",
    "--smc-check=all-non-file",
    "--cachegrind-out-file=/dev/null",
    process.execPath,
    ...NODE_FLAGS,
    self,
    "--run",
    dist,
    String(tasks),
    String(runs),
    mode,
  ];
  const child = spawnSync("valgrind", args, { encoding: "utf8", maxBuffer: 1 << 26 });
  const refs = /I\s+refs:\s+([\d,]+)/.exec(child.stderr ?? "");
  if (child.status !== 0 || refs === null) {
    throw new Error(`valgrind failed (${child.status}): ${(child.stderr ?? "").slice(-2000)}`);
  }
  return Number(refs[1]!.replaceAll(",", ""));
}

/** Builds `revision` in a temporary worktree; returns its `dist` and a clean-up. */
function build(revision: string): { dist: string; remove: () => void } {
  const tree = mkdtempSync(join(tmpdir(), "orion-sync-instructions-"));
  execFileSync("git", ["-C", root, "worktree", "add", "--detach", tree, revision], {
    stdio: "ignore",
  });
  const remove = (): void => {
    execFileSync("git", ["-C", root, "worktree", "remove", "--force", tree], { stdio: "ignore" });
    rmSync(tree, { recursive: true, force: true });
  };
  try {
    symlinkSync(join(root, "node_modules"), join(tree, "node_modules"));
    execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"], {
      cwd: tree,
      stdio: "inherit",
    });
  } catch (error) {
    remove();
    throw error;
  }
  return { dist: join(tree, "dist"), remove };
}

/** Instructions per task of `revision`: the difference between many runs and few. */
function perTask(revision: string, tasks: number, mode: Mode): number {
  const { dist, remove } = build(revision);
  try {
    const few = instructions(dist, tasks, FEW_RUNS, mode);
    const many = instructions(dist, tasks, MANY_RUNS, mode);
    return (many - few) / ((MANY_RUNS - FEW_RUNS) * tasks);
  } finally {
    remove();
  }
}

const [first, ...rest] = process.argv.slice(2);
if (first === "--run") {
  const [dist, tasks, runs, mode] = rest;
  await run(dist!, Number(tasks), Number(runs), mode as Mode);
} else {
  if (spawnSync("valgrind", ["--version"]).status !== 0) {
    console.error("bench/instructions: valgrind is needed (Debian: apt-get install valgrind)");
    process.exit(2);
  }
  const revisions = [first ?? "HEAD~1", rest[0] ?? "HEAD"];
  const tasks = Number(rest[1] ?? 1_000);
  const mode: Mode = rest[2] === "plain" ? "plain" : "synced";
  // Up to 1,500: beyond, eight runs outgrow the young generation and scavenges come back.
  if (!(tasks >= 100 && tasks <= 1_500)) {
    console.error("bench/instructions: tasks must be between 100 and 1,500");
    process.exit(2);
  }
  const counts = revisions.map((revision) => perTask(revision, tasks, mode));
  const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
  for (let i = 0; i < revisions.length; i++) {
    console.log(
      `${revisions[i]}: ${fmt(counts[i]!)} instructions per ${mode} task (${fmt(tasks)} tasks)`,
    );
  }
  console.log(`ratio: ${(counts[1]! / counts[0]!).toFixed(3)}`);
}
