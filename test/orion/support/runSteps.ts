/** The random steps of the `OrionRun` property tests: transitions and agent edits. */
import fc from "fast-check";
import type { Task, TaskOrion } from "../../../src/orion/index.js";
import { editArbitrary, type Edit } from "./edits.js";

export type RunStep =
  | { kind: "start"; pick: number }
  | { kind: "complete"; pick: number; success: boolean }
  | { kind: "cancel"; pick: number }
  | { kind: "take"; max: number }
  | {
      kind: "agent";
      edits: readonly Edit[];
      /** Edit the agent's last orion (true) or a fresh snapshot of the run. */
      fromLast: boolean;
      hint: boolean;
      viaJson: boolean;
    };

/** Each kind of step with its weight, for a test that adds kinds of its own. */
export const weightedRunSteps: readonly fc.WeightedArbitrary<RunStep>[] = [
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("start" as const), pick: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("complete" as const),
      pick: fc.nat(),
      success: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("take" as const), max: fc.nat(3) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("agent" as const),
      edits: fc.array(editArbitrary, { minLength: 1, maxLength: 4 }),
      fromLast: fc.boolean(),
      hint: fc.boolean(),
      viaJson: fc.boolean(),
    }),
  },
];

export const runStep: fc.Arbitrary<RunStep> = fc.oneof(...weightedRunSteps);

/** The `n`-th task of `o` (cyclically) that `fits`, if any. */
export const pickOf = (o: TaskOrion, n: number, fits: (t: Task) => boolean): string | undefined => {
  const candidates = Object.values(o.tasks).filter(fits);
  return candidates.length === 0 ? undefined : candidates[n % candidates.length]!.id;
};

/** Keys whose values differ by identity, as a caller with immer patches would know them. */
export const changed = <T>(
  a: { readonly [k: string]: T },
  b: { readonly [k: string]: T },
): string[] =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
    (k) => (Object.hasOwn(a, k) ? a[k] : undefined) !== (Object.hasOwn(b, k) ? b[k] : undefined),
  );
