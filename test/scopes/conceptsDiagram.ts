/**
 * The scoped-holds diagrams of docs/concepts.md are asserted by marble tests: each test keeps
 * its marbles in a {@link Diagram} and checks, besides the marbles, that the guide shows them.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

const concepts = join(
  resolve(dirname(fileURLToPath(import.meta.url)), "../.."),
  "docs/concepts.md",
);

/** A diagram's lines, in order: each a label (without its colon) and its marbles. */
export type Diagram = readonly (readonly [label: string, marbles: string])[];

/**
 * Whether one ```text block of docs/concepts.md has `diagram`'s lines, in that order: each a
 * line `label:`, spaces, then exactly the marbles, then the end of the line or two spaces (a
 * comment).
 */
export function shownInConcepts(diagram: Diagram): boolean {
  const blocks = [...readFileSync(concepts, "utf8").matchAll(/```text\n([\s\S]*?)```/g)];
  return blocks.some(([, block]) => {
    const lines = block!.split("\n");
    let at = 0;
    for (const [label, marbles] of diagram) {
      const line = new RegExp(`^${escape(label)}: +${escape(marbles)}( {2}|$)`);
      while (at < lines.length && !line.test(lines[at]!)) at++;
      if (at === lines.length) return false;
      at++;
    }
    return true;
  });
}

/** Asserts that docs/concepts.md shows `diagram` (see {@link shownInConcepts}). */
export function expectShownInConcepts(diagram: Diagram): void {
  expect(shownInConcepts(diagram), `docs/concepts.md shows ${JSON.stringify(diagram)}`).toBe(true);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
