/**
 * The one adapter between rxjs-marbles and vitest.
 *
 * rxjs-marbles ships a Jest entry point that reaches for Jest's globals; we build on its
 * framework-neutral core instead (`configure` from the package root, `_cases` from
 * `rxjs-marbles/cases`) and hand it vitest's `expect`, so a failing marble test prints
 * vitest's own diff of the two notification lists.
 */
import { configure } from "rxjs-marbles";
import { _cases, type NamedCase, type UnnamedCase } from "rxjs-marbles/cases.js";
import type { Context } from "rxjs-marbles";
import { expect, test } from "vitest";

export type { Context } from "rxjs-marbles";

/** `marbles(m => ...)`: runs the body in a fresh TestScheduler and flushes it. */
export const { marbles } = configure({
  assert: (value: unknown, message: string) => {
    expect(value, message).toBeTruthy();
  },
  assertDeepEqual: (actual: unknown, expected: unknown) => {
    expect(actual).toStrictEqual(expected);
  },
  frameworkMatcher: true,
});

/** One vitest test per named case, each run by `marbles`. */
export function cases<T extends UnnamedCase>(
  func: (m: Context, c: T & NamedCase) => void,
  table: Record<string, T>,
): void {
  _cases((c: NamedCase) => {
    const run = c.only ? test.only : c.skip ? test.skip : test;
    run(
      c.name,
      marbles((m: Context) => func(m, c as T & NamedCase)),
    );
  }, table);
}
