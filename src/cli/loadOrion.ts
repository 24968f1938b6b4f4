/** Reads an orion file: our orion JSON or UFO's TaskConstellation JSON, validated. */
import { isRecord } from "../internal/records.js";
import { readFileSync } from "node:fs";
import { deriveOrionState } from "../orion/orionState.js";
import { InvalidOrionError } from "../orion/errors.js";
import type { TaskOrion } from "../orion/types.js";
import { validateOrion } from "../orion/validateOrion.js";
import { fromUfoJson } from "../ufo/fromUfoJson.js";
import { UfoFormatError } from "../ufo/UfoFormatError.js";
import { CliError } from "./CliError.js";
import { describeJsonError, findJsonError, lineAndColumn } from "./jsonPosition.js";

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT") throw new CliError(`${file}: no such file`);
    if (code === "EISDIR") throw new CliError(`${file}: is a directory`);
    if (code === "EACCES") throw new CliError(`${file}: permission denied`);
    throw new CliError(`${file}: cannot read: ${error instanceof Error ? error.message : ""}`);
  }
}

/** Parses `text` as JSON, or throws a {@link CliError} with `file:line:column`. */
export function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /at position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : (findJsonError(text) ?? text.length);
    const { line, column } = lineAndColumn(text, offset);
    throw new CliError(`${file}:${line}:${column}: invalid JSON: ${describeJsonError(message)}`);
  }
}

/** Checks the shape of our own orion JSON (what `JSON.stringify(orion)` writes). */
function readOwnOrion(file: string, value: unknown): TaskOrion {
  const bad = (path: string, expected: string): never => {
    throw new CliError(`${file}: not an orion: ${path}: expected ${expected}`);
  };
  if (!isRecord(value)) return bad("$", "an object (an orion, or a UFO constellation)");
  if (typeof value["id"] !== "string" || value["id"] === "") bad("id", "a non-empty string");
  const tasks = value["tasks"];
  const dependencies = value["dependencies"];
  if (!isRecord(tasks)) return bad("tasks", "an object keyed by task id");
  if (!isRecord(dependencies)) return bad("dependencies", "an object keyed by dependency id");
  for (const [key, task] of Object.entries(tasks)) {
    const path = `tasks[${JSON.stringify(key)}]`;
    if (!isRecord(task)) return bad(path, "an object");
    for (const field of ["id", "name", "status"]) {
      if (typeof task[field] !== "string") bad(`${path}.${field}`, "a string");
    }
    if (!isRecord(task["params"])) bad(`${path}.params`, "an object");
  }
  for (const [key, dep] of Object.entries(dependencies)) {
    const path = `dependencies[${JSON.stringify(key)}]`;
    if (!isRecord(dep)) return bad(path, "an object");
    for (const field of ["id", "fromTaskId", "toTaskId", "type"]) {
      if (typeof dep[field] !== "string") bad(`${path}.${field}`, "a string");
    }
  }
  const orion = value as unknown as TaskOrion;
  return typeof value["state"] === "string" ? orion : { ...orion, state: deriveOrionState(orion) };
}

/**
 * Reads, parses and validates `file`: UFO's format when the document has `constellation_id`,
 * ours otherwise.
 * @throws CliError - for anything wrong, with a one-line message.
 */
export function loadOrion(file: string): TaskOrion {
  const text = readText(file).replace(/^\uFEFF/, "");
  const value = parseJson(file, text);
  let orion: TaskOrion;
  const isUfo = isRecord(value) && "constellation_id" in value;
  if (isUfo) {
    try {
      orion = fromUfoJson(value);
    } catch (error) {
      if (error instanceof UfoFormatError) {
        throw new CliError(`${file}: not a UFO constellation: ${error.message}`);
      }
      throw error;
    }
  } else {
    orion = readOwnOrion(file, value);
  }
  const validation = validateOrion(orion);
  if (!validation.ok) {
    const message = `${file}: ${new InvalidOrionError(orion.id, validation.errors).message}`;
    const dangling = validation.errors.every((e) => e.kind === "missing_task");
    // Two of UFO's own example files are like this; say it is the file, not orion-sync.
    throw new CliError(
      isUfo && dangling
        ? `${message} (expected for this file: its edges name tasks it does not define, ` +
            `like two of the UFO examples in test/ufo/fixtures; an orion runs only when every ` +
            `edge names tasks it has)`
        : message,
    );
  }
  return orion;
}
