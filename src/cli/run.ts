/** The `orion-sync` command line, as a function of its arguments and output streams. */
import { readFileSync, writeFileSync } from "node:fs";
import { demoEdit, demoOrion, DEMO_DEFAULTS } from "../simulation/demoOrion.js";
import { simulate, type MsRange, type SimulationProgress } from "../simulation/simulate.js";
import type { SimulationReport } from "../simulation/types.js";
import type { TaskOrion } from "../orion/types.js";
import type { AgentEdit } from "../agent/createScriptedAgent.js";
import { renderTimeline } from "../timeline/renderTimeline.js";
import { CliError } from "./CliError.js";
import { formatSummary, formatVerdict, runLabel, stylizer } from "./format.js";
import { HELP } from "./help.js";
import { loadOrion } from "./loadOrion.js";
import { parseCommandLine, type CliOptions } from "./options.js";

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

  const orion: TaskOrion = options.command === "demo" ? demoOrion() : loadOrion(options.file ?? "");
  const edit: AgentEdit | undefined = options.command === "demo" ? demoEdit : undefined;
  const seed = options.seed ?? DEMO_DEFAULTS.seed;
  const agentLatency = options.agentLatency ?? DEMO_DEFAULTS.agentLatency;
  const taskDuration = options.taskDuration ?? DEMO_DEFAULTS.taskDuration;

  const tty = io.stdout.isTTY === true && !options.json;
  const style = stylizer(tty);
  if (!options.json) {
    const name = orion.name === undefined ? "" : ` ${JSON.stringify(orion.name)}`;
    out(
      `orion-sync ${options.command}: orion ${JSON.stringify(orion.id)}${name}, ` +
        `${Object.keys(orion.tasks).length} tasks, seed ${seed}, ` +
        `agent latency ${range(agentLatency)} ms, task duration ${range(taskDuration)} ms` +
        (options.timeout === undefined ? "" : `, modification timeout ${options.timeout} ms`),
    );
  }

  const reports: SimulationReport[] = [];
  for (const gated of options.gate ? [false, true] : [false]) {
    const label = runLabel({ gated });
    if (tty) io.stdout.write(`\r\x1b[2K${style("dim", `running ${label}…`)}`);
    const report = simulate(orion, {
      gated,
      seed,
      agentLatency,
      taskDuration,
      ...(options.timeout === undefined ? {} : { modificationTimeout: options.timeout }),
      ...(edit === undefined ? {} : { edit }),
      ...(tty
        ? {
            onProgress: (p: SimulationProgress) =>
              io.stdout.write(
                `\r\x1b[2K${style(
                  "dim",
                  `${label}: ${p.done}/${p.total} tasks done, ` +
                    `${p.pending} modification(s) pending, held ${p.heldMs} ms, ` +
                    `${p.elapsed} ms elapsed (virtual)`,
                )}`,
              ),
          }
        : {}),
    });
    if (tty) {
      io.stdout.write(
        `\r\x1b[2K${style("green", "✓")} ${label}: ${report.tasks.length} tasks, ` +
          `makespan ${report.makespan} ms (virtual)\n`,
      );
    }
    reports.push(report);
  }
  const withoutGate = reports.find((r) => !r.gated);
  const withGate = reports.find((r) => r.gated);

  if (options.json) {
    const output: JsonOutput = {
      ...(withoutGate ? { withoutGate } : {}),
      ...(withGate ? { withGate } : {}),
    };
    out(JSON.stringify(output, null, 2));
  } else {
    out();
    for (const line of formatSummary(reports, style)) out(line);
    const verdict = formatVerdict(withoutGate, withGate);
    if (verdict !== undefined) {
      out();
      out(verdict);
    }
  }

  if (options.timeline) {
    const text = renderTimeline(reports, options.timeline.format);
    try {
      writeFileSync(options.timeline.file, text);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new CliError(`--timeline: cannot write ${options.timeline.file} (${String(code)})`);
    }
    const note = `timeline written to ${options.timeline.file}`;
    if (options.json) io.stderr.write(`${note}\n`);
    else out(note);
  }
  return 0;
}
