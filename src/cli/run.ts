/** The `orion-sync` command line, as a function of its arguments and output streams. */
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { demoEdit, demoOrion, DEMO_DEFAULTS } from "../simulation/demoOrion.js";
import {
  simulate,
  type MsRange,
  type SimulationProgress,
  declareDependents,
} from "../simulation/simulate.js";
import type { SimulationReport } from "../simulation/types.js";
import type { TaskOrion } from "../orion/types.js";
import type { AgentEdit } from "../agent/createScriptedAgent.js";
import { taskLevels } from "../timeline/laneGroups.js";
import { renderTimeline } from "../timeline/renderTimeline.js";
import { CliError } from "./CliError.js";
import { formatSummary, formatVerdict, runLabel, stylizer } from "./format.js";
import { HELP } from "./help.js";
import { loadOrion } from "./loadOrion.js";
import { parseCommandLine, type CliOptions } from "./options.js";
import { LARGE_ORION_TASKS, liveProgress, plainInterval, plainProgress } from "./progress.js";

/** Where the CLI writes: `process.stdout`/`process.stderr`, or fakes in tests. */
export interface CliStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface CliIo {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
}

/** What `--json` prints. */
export interface JsonOutput {
  readonly withoutGate?: SimulationReport;
  readonly withGate?: SimulationReport;
  /** The scoped run (`--scope`; the demo's by default). */
  readonly scoped?: SimulationReport;
}

/** The version in the package.json next to the built CLI (`dist/src/cli` → the package root). */
export function readVersion(): string {
  const url = new URL("../../../package.json", import.meta.url);
  const pkg = JSON.parse(readFileSync(url, "utf8")) as { version?: unknown };
  if (typeof pkg.version !== "string") throw new CliError("package.json has no version");
  return pkg.version;
}

const range = (r: MsRange): string => (r[0] === r[1] ? `${r[0]}` : `${r[0]}-${r[1]}`);

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** What the demo says before its table: what its agent does, and what "stale" means. */
export const DEMO_EXPLANATION: readonly string[] = [
  "The agent answers every completion by marking the completed task's dependents " +
    "(params.after_<task> = true); after clean_customers it also sets segment's segments to 8, " +
    "inserts dedupe_customers and makes join wait for it. It declares at once which tasks it " +
    "may change (the completed task's dependents), so the scoped run holds only those.",
  "A task starts stale when it starts before the agent has answered the completion of one " +
    "of its predecessors, on a definition the agent was still changing.",
];

/** Why a file operation failed, in words. */
function why(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case "ENOENT":
      return "no such directory";
    case "ENOTDIR":
      return "a parent is not a directory";
    case "EISDIR":
      return "is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "read-only file system";
    default:
      return String(code ?? (error instanceof Error ? error.message : error));
  }
}

/** Opens `file` for appending (creating it, then removing it again), or throws a CliError. */
function checkWritable(file: string): void {
  const existed = existsSync(file);
  try {
    closeSync(openSync(file, "a"));
  } catch (error) {
    const reason = why(error);
    const where = reason === "no such directory" ? ` (${dirname(file)})` : "";
    throw new CliError(`--timeline: cannot write ${file}: ${reason}${where}`);
  }
  if (!existed) rmSync(file, { force: true });
}

/** Runs the command line; returns the exit code (0, or 2 after one line on stderr). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return run(parseCommandLine(argv), io);
  } catch (error) {
    const message =
      error instanceof CliError
        ? error.message
        : `internal error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
    io.stderr.write(`orion-sync: error: ${oneLine(message)}\n`);
    return 2;
  }
}

function run(options: CliOptions, io: CliIo): number {
  const out = (line = ""): void => void io.stdout.write(`${line}\n`);
  if (options.version && !options.help) {
    out(readVersion());
    return 0;
  }
  if (options.help || options.command === undefined) {
    if (options.command === undefined && !options.help) {
      throw new CliError("missing command: demo or simulate (see orion-sync --help)");
    }
    out(HELP[options.command ?? "main"]);
    return 0;
  }

  // Before the (possibly long) simulation: a path we cannot write fails now, not at the end.
  if (options.timeline) checkWritable(options.timeline.file);
  const orion: TaskOrion = options.command === "demo" ? demoOrion() : loadOrion(options.file ?? "");
  const edit: AgentEdit | undefined = options.command === "demo" ? demoEdit : undefined;
  const seed = options.seed ?? DEMO_DEFAULTS.seed;
  const agentLatency = options.agentLatency ?? DEMO_DEFAULTS.agentLatency;
  const taskDuration = options.taskDuration ?? DEMO_DEFAULTS.taskDuration;
  const taskCount = Object.keys(orion.tasks).length;

  const tty = io.stdout.isTTY === true && !options.json;
  const style = stylizer(tty);
  if (!options.json) {
    const name = orion.name === undefined ? "" : ` ${JSON.stringify(orion.name)}`;
    out(
      `orion-sync ${options.command}: orion ${JSON.stringify(orion.id)}${name}, ` +
        `${taskCount} tasks, seed ${seed}, ` +
        `agent latency ${range(agentLatency)} ms, task duration ${range(taskDuration)} ms` +
        (options.timeout === undefined ? "" : `, modification timeout ${options.timeout} ms`),
    );
    if (options.command === "demo") for (const line of DEMO_EXPLANATION) out(style("dim", line));
  }
  if (taskCount >= LARGE_ORION_TASKS) {
    io.stderr.write(
      `orion-sync: warning: ${taskCount} tasks: a large orion takes a while to simulate ` +
        `(both runs, measured on 2 cores: about 1 s at 1,000 tasks, 2.5 s at 10,000, ` +
        `25 s at 100,000); progress follows\n`,
    );
  }

  // A live line on whichever stream is a terminal (stdout unless --json), else plain lines.
  const live = tty ? io.stdout : io.stderr.isTTY === true ? io.stderr : undefined;
  const progress =
    live === undefined
      ? plainProgress(io.stderr, plainInterval())
      : liveProgress(live, live === io.stdout ? style : stylizer(true));
  // Progress callbacks every ~quarter of a task's duration: fine enough, not per ms.
  const progressStep = Math.max(10, Math.round((taskDuration[0] + taskDuration[1]) / 8));

  const reports: SimulationReport[] = [];
  const runs: { readonly gated: boolean; readonly scope?: "downstream" | "declared" }[] =
    options.gate ? [{ gated: false }, { gated: true }] : [{ gated: false }];
  if (options.scope !== undefined) runs.push({ gated: true, scope: options.scope });
  // The same agent in every run: a declaring one when the scoped run uses declarations.
  const declare = options.scope === "declared" ? declareDependents : undefined;
  for (const { gated, scope } of runs) {
    const label = runLabel({ gated, ...(scope === undefined ? {} : { scope }) });
    progress.start(label);
    const report = simulate(orion, {
      gated,
      ...(scope === undefined ? {} : { scope }),
      ...(declare === undefined ? {} : { declare }),
      seed,
      agentLatency,
      taskDuration,
      ...(options.timeout === undefined ? {} : { modificationTimeout: options.timeout }),
      ...(edit === undefined ? {} : { edit }),
      onProgress: (p: SimulationProgress) => progress.update(p),
      progressStep,
    });
    progress.end(
      `${label}: ${report.tasks.length} tasks, makespan ${report.makespan} ms (virtual)`,
    );
    reports.push(report);
  }
  const withoutGate = reports.find((r) => !r.gated);
  const withGate = reports.find((r) => r.gated && r.scope === undefined);
  const scoped = reports.find((r) => r.scope !== undefined);

  if (options.json) {
    const output: JsonOutput = {
      ...(withoutGate ? { withoutGate } : {}),
      ...(withGate ? { withGate } : {}),
      ...(scoped ? { scoped } : {}),
    };
    out(JSON.stringify(output, null, 2));
  } else {
    out();
    for (const line of formatSummary(reports, style)) out(line);
    const verdict = formatVerdict(withoutGate, withGate, scoped);
    if (verdict !== undefined) {
      out();
      out(verdict);
    }
    if (options.command === "demo") {
      for (const r of reports) {
        const stale = r.tasks.filter((t) => t.stale).map((t) => t.id);
        if (stale.length > 0) out(`Stale ${runLabel(r)}: ${stale.join(", ")}.`);
      }
    }
  }

  if (options.timeline) {
    const levels = taskLevels(Object.keys(orion.tasks), Object.values(orion.dependencies));
    const text = renderTimeline(reports, options.timeline.format, { levels });
    try {
      writeFileSync(options.timeline.file, text);
    } catch (error) {
      throw new CliError(`--timeline: cannot write ${options.timeline.file}: ${why(error)}`);
    }
    const note = `timeline written to ${options.timeline.file}`;
    if (options.json) io.stderr.write(`${note}\n`);
    else out(note);
  }
  return 0;
}
