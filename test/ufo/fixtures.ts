import { readdirSync, readFileSync } from "node:fs";

/**
 * UFO's own constellation files (from Microsoft UFO's Galaxy examples and tests), copied here
 * and prettier-formatted; the parsed JSON is identical to the originals.
 */
const directory = new URL("./fixtures/", import.meta.url);

export const fixtureNames: readonly string[] = readdirSync(directory)
  .filter((name) => name.endsWith(".json"))
  .sort();

/** A fixture, freshly parsed (callers may modify it). */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, directory), "utf8"));
}
