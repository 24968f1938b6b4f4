/**
 * The command line, parsed by hand: every error is ours (what was expected, what was given,
 * the closest valid option), which `node:util`'s `parseArgs` messages are not.
 */
import type { MsRange } from "../simulation/simulate.js";
import { CliError } from "./CliError.js";

export type Command = "demo" | "simulate";

const COMMANDS: readonly string[] = ["demo", "simulate", "help"];

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
  /** The scoped run's scopes (issue 16): the demo's default is `declared`; simulate's none. */
  readonly scope: "downstream" | "declared" | undefined;
  readonly timeout: number | undefined;
  readonly json: boolean;
  readonly timeline: { readonly file: string; readonly format: "svg" | "html" } | undefined;
}

/** The options, by long name: those with a value say what the value is. */
const OPTIONS: Readonly<Record<string, { readonly value?: string; readonly short?: string }>> = {
  help: { short: "h" },
  version: { short: "v" },
  "agent-latency": { value: "<ms> or <min>-<max>" },
  "task-duration": { value: "<ms> or <min>-<max>" },
  seed: { value: "an integer from 0 to 4294967295" },
  "no-gate": {},
  scope: { value: "downstream or declared" },
  timeout: { value: `an integer from 1 to ${Number.MAX_SAFE_INTEGER}` },
  json: {},
  timeline: { value: "a file ending in .svg or .html" },
};

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

/** Levenshtein distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const width = b.length + 1;
  const d = new Array<number>((a.length + 1) * width).fill(0);
  const at = (i: number, j: number): number => d[i * width + j] ?? 0;
  for (let i = 0; i <= a.length; i++) d[i * width] = i;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      d[i * width + j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The candidate closest to `given`, if it is close enough to be a typo of it. */
export function closest(given: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(given, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  const limit = Math.max(2, Math.floor((best?.length ?? 0) / 3));
  return bestDistance <= limit ? best : undefined;
}

function unknownOption(arg: string): CliError {
  const name = arg.replace(/^-+/, "").split("=")[0] ?? "";
  const longs = Object.keys(OPTIONS);
  const shorts = Object.entries(OPTIONS).flatMap(([long, o]) =>
    o.short === undefined ? [] : [[o.short, long] as const],
  );
  const guess = arg.startsWith("--")
    ? closest(name, longs)
    : (shorts.find(([s]) => s === name.toLowerCase())?.[1] ?? closest(name, longs));
  const hint =
    guess === undefined
      ? `valid options: ${longs.map((l) => `--${l}`).join(", ")}`
      : `did you mean --${guess}?`;
  return new CliError(`unknown option ${JSON.stringify(arg.split("=")[0])}: ${hint}`);
}

/** A value of a string option: anything but an option (a negative number is a value). */
function isValue(arg: string | undefined): arg is string {
  return arg !== undefined && (!arg.startsWith("-") || /^-[\d.]/.test(arg) || arg === "-");
}

interface Parsed {
  readonly values: Readonly<Record<string, string | true>>;
  readonly positionals: readonly string[];
}

function parse(argv: readonly string[]): Parsed {
  const values: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else {
      const short = Object.entries(OPTIONS).find(([, o]) => `-${o.short ?? ""}` === arg);
      if (short === undefined) throw unknownOption(arg);
      name = short[0];
    }
    const spec = Object.prototype.hasOwnProperty.call(OPTIONS, name) ? OPTIONS[name] : undefined;
    if (spec === undefined) throw unknownOption(arg);
    if (spec.value === undefined) {
      if (inline !== undefined) {
        throw new CliError(`--${name}: takes no value, got ${JSON.stringify(inline)}`);
      }
      values[name] = true;
      continue;
    }
    if (inline === undefined) {
      const next = argv[i + 1];
      if (!isValue(next)) {
        const given = next === undefined ? "nothing" : `the option ${JSON.stringify(next)}`;
        throw new CliError(`--${name}: expected ${spec.value}, got ${given}`);
      }
      inline = next;
      i++;
    }
    values[name] = inline;
  }
  return { values, positionals };
}

function unknownCommand(command: string): CliError {
  const guess = closest(command, COMMANDS);
  return new CliError(
    `unknown command ${JSON.stringify(command)}: expected demo, simulate or help` +
      (guess === undefined ? "" : `; did you mean ${guess}?`),
  );
}

/** Parses `argv` (without node and the script). @throws CliError - for anything wrong. */
export function parseCommandLine(argv: readonly string[]): CliOptions {
  const { values, positionals } = parse(argv);
  const string = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };
  let [command, ...rest] = positionals;
  let help = values["help"] === true;
  // `orion-sync help [command]` is `orion-sync [command] --help`.
  if (command === "help") {
    [command, ...rest] = rest;
    help = true;
  }
  if (command !== undefined && command !== "demo" && command !== "simulate") {
    throw unknownCommand(command);
  }
  const maxPositionals = command === "simulate" ? 1 : 0;
  if (rest.length > maxPositionals) {
    throw new CliError(`unexpected argument ${JSON.stringify(rest[maxPositionals])}`);
  }
  if (command === "simulate" && rest.length === 0 && !help) {
    throw new CliError("simulate: missing <file.json>");
  }
  const agentLatency = string("agent-latency");
  const taskDuration = string("task-duration");
  const seed = string("seed");
  const timeout = string("timeout");
  const timeline = string("timeline");
  const scope = string("scope");
  if (scope !== undefined && scope !== "downstream" && scope !== "declared") {
    throw new CliError(`--scope: expected downstream or declared, got ${JSON.stringify(scope)}`);
  }
  if (scope !== undefined && values["no-gate"] === true) {
    throw new CliError("--scope: the scoped run needs the gate; drop --no-gate");
  }
  return {
    command,
    file: command === "simulate" ? rest[0] : undefined,
    help,
    version: values["version"] === true,
    agentLatency:
      agentLatency === undefined ? undefined : parseRange("--agent-latency", agentLatency),
    taskDuration:
      taskDuration === undefined ? undefined : parseRange("--task-duration", taskDuration),
    seed: seed === undefined ? undefined : parseInteger("--seed", seed, 0, 2 ** 32 - 1),
    gate: values["no-gate"] !== true,
    scope: scope ?? (command === "demo" && values["no-gate"] !== true ? "declared" : undefined),
    timeout:
      timeout === undefined
        ? undefined
        : parseInteger("--timeout", timeout, 1, Number.MAX_SAFE_INTEGER),
    json: values["json"] === true,
    timeline:
      timeline === undefined ? undefined : { file: timeline, format: timelineFormat(timeline) },
  };
}
