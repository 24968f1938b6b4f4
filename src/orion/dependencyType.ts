/**
 * Dependency types: the four types, the type derived from them, and the one rule that says when
 * an edge stops holding its target back, on strings (`isDependencySatisfied`) and on the numeric
 * codes of the ready-set loop (`satisfiedByCode`), which the string form calls.
 */
import { getOwn } from "../internal/records.js";
import { isTerminalCode, STATUS, statusCode } from "./taskStatus.js";
import type { Dependency, Task } from "./types.js";

// The list the type is derived from; exported widened, as `dependencyTypes`.
const DEPENDENCY_TYPES = [
  "unconditional",
  "success_only",
  "completion_only",
  "conditional",
] as const;

/**
 * How a dependency edge is satisfied once its source task is terminal.
 * @useDeclaredType
 */
export type DependencyType = (typeof DEPENDENCY_TYPES)[number];

/** Every `DependencyType`. */
export const dependencyTypes: readonly DependencyType[] = Object.freeze(DEPENDENCY_TYPES);

/** Whether `value` is one of the four `DependencyType` strings (for data that came from outside). */
export function isDependencyType(value: unknown): value is DependencyType {
  return typeCode(value) !== EDGE.unknown;
}

/**
 * Caller-supplied predicates for `conditional` dependencies, by dependency id. Each is asked
 * once its dependency's source task is terminal; a `conditional` dependency with no predicate
 * here is treated as `success_only`.
 */
export interface DependencyConditions {
  readonly [dependencyId: string]: (source: Task) => boolean;
}

/**
 * Whether `dependency` no longer holds its target back. Nothing is satisfied until the source
 * task is terminal (and a missing source never is); then:
 * - `unconditional`, `completion_only`: any terminal outcome (completed, failed or cancelled);
 * - `success_only`: only `completed`. (UFO's Python checks that the source's outcome "is not
 *   None"; a failed task's error object is not None, so there a failed source satisfies
 *   `success_only`. We deliberately do not copy that bug.)
 * - `conditional`: `conditions[dependency.id](source)`, or `success_only` without a predicate.
 */
export function isDependencySatisfied(
  dependency: Dependency,
  source: Task | undefined,
  conditions?: DependencyConditions,
): boolean {
  if (source === undefined) return false;
  // Nothing of the dependency is read until the source is terminal, as before the codes.
  const status = statusCode(source.status);
  if (!isTerminalCode(status)) return false;
  return (
    satisfiedByCode(typeCode(dependency.type), status) ??
    conditionSays(conditions, dependency.id, status, source)
  );
}

/**
 * Type codes, for edges kept as typed arrays (`dependencyIndex`'s compiled edges), and `unknown`
 * for a value that is not a `DependencyType` (unvalidated data), which is never satisfied.
 * @internal
 */
export const EDGE = Object.freeze({
  unconditional: 0,
  success_only: 1,
  completion_only: 2,
  conditional: 3,
  unknown: 4,
} as const satisfies Record<DependencyType, number> & { unknown: number });

/** The code of a dependency type; any other value is `EDGE.unknown`. @internal */
export function typeCode(type: unknown): number {
  return typeCodes.get(type) ?? EDGE.unknown;
}

const typeCodes: ReadonlyMap<unknown, number> = new Map<unknown, number>(
  dependencyTypes.map((type) => [type, EDGE[type]]),
);

/**
 * `isDependencySatisfied` on codes, for an edge of type code `type` whose source has status code
 * `status`: `undefined` for a `conditional` edge whose source is terminal, whose answer is
 * {@link conditionSays} (so the caller reads the dependency's id only then).
 * @internal
 */
export function satisfiedByCode(type: number, status: number): boolean | undefined {
  if (!isTerminalCode(status)) return false;
  switch (type) {
    case EDGE.unconditional:
    case EDGE.completion_only:
      return true;
    case EDGE.success_only:
      return status === STATUS.completed;
    case EDGE.conditional:
      return undefined;
    default:
      return false;
  }
}

/**
 * The `conditional` rule, once the source (status code `status`) is terminal: the predicate of
 * `dependencyId` in `conditions` decides; without one, `success_only`.
 * @internal
 */
export function conditionSays(
  conditions: DependencyConditions | undefined,
  dependencyId: string,
  status: number,
  source: Task,
): boolean {
  const predicate = conditions === undefined ? undefined : getOwn(conditions, dependencyId);
  return predicate === undefined ? status === STATUS.completed : predicate(source);
}
