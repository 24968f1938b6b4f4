/** The command line: `parseArgs` from `node:util`, and checked option values. */
import { parseArgs } from "node:util";
import type { MsRange } from "../simulation/simulate.js";
import { CliError } from "./CliError.js";

export type Command = "demo" | "simulate";

/** What a command runs with, checked. */
export interface CliOptions {
  readonly command: Command | undefined;
  readonly file: string | undefined;
  readonly help: boolean;
  readonly version: boolean;
  readonly agentLatency: MsRange | undefined;
  readonly taskDuration: MsRange | undefined;
  readonly seed: number | undefined;
  readonly gate: boolean;
  readonly timeout: number | undefined;
  readonly json: boolean;
  readonly timeline: { readonly file: string; readonly format: "svg" | "html" } | undefined;
}

/** `"50"` → `[50, 50]`, `"10-40"` → `[10, 40]`: non-negative integers, `min <= max`. */
export function parseRange(option: string, text: string): MsRange {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  const min = match ? Number(match[1]) : Number.NaN;
  const max = match?.[2] === undefined ? min : Number(match[2]);
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
    throw new CliError(
      `${option}: expected <ms> or <min>-<max> (integers, min <= max), got ${JSON.stringify(text)}`,
    );
  }
  return [min, max];
}

function parseInteger(option: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliError(
      `${option}: expected an integer from ${min} to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function timelineFormat(file: string): "svg" | "html" {
  const lower = file.toLowerCase();
  if (lower.endsWith(".svg")) return "svg";
  if (lower.endsWith(".html") || lower.endsWith(".htm")) return "html";
  throw new CliError(
    `--timeline: expected a file ending in .svg or .html, got ${JSON.stringify(file)}`,
  );
}

/** Parses `argv` (without node and the script). @throws CliError - for anything wrong. */
export function parseCommandLine(argv: readonly string[]): CliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(message.split("\n")[0] ?? message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (command !== undefined && command !== "demo" && command !== "simulate") {
    throw new CliError(`unknown command ${JSON.stringify(command)} (expected demo or simulate)`);
  }
  const help = values.help === true;
  const maxPositionals = command === "simulate" ? 1 : 0;
  if (rest.length > maxPositionals) {
    throw new CliError(`unexpected argument ${JSON.stringify(rest[maxPositionals])}`);
  }
  if (command === "simulate" && rest.length === 0 && !help) {
    throw new CliError("simulate: missing <file.json>");
  }
  return {
    command,
    file: command === "simulate" ? rest[0] : undefined,
    help,
    version: values.version === true,
    agentLatency:
      values["agent-latency"] === undefined
        ? undefined
        : parseRange("--agent-latency", values["agent-latency"]),
    taskDuration:
      values["task-duration"] === undefined
        ? undefined
        : parseRange("--task-duration", values["task-duration"]),
    seed:
      values.seed === undefined ? undefined : parseInteger("--seed", values.seed, 0, 2 ** 32 - 1),
    gate: values["no-gate"] !== true,
    timeout:
      values.timeout === undefined
        ? undefined
        : parseInteger("--timeout", values.timeout, 1, Number.MAX_SAFE_INTEGER),
    json: values.json === true,
    timeline:
      values.timeline === undefined
        ? undefined
        : { file: values.timeline, format: timelineFormat(values.timeline) },
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
      "agent-latency": { type: "string" },
      "task-duration": { type: "string" },
      seed: { type: "string" },
      "no-gate": { type: "boolean" },
      timeout: { type: "string" },
      json: { type: "boolean" },
      timeline: { type: "string" },
    },
  });
}
