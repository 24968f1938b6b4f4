import { dependencyIndex } from "./internal/dependencyIndex.js";
import type { TaskOrion } from "./types.js";

/**
 * The tasks that depend on `taskId`, directly or through others, in `orion` as it stands:
 * what an agent reacting to `taskId` may still change (a `'downstream'` scope). O(the
 * descendants and their edges), plus indexing the dependencies once per frozen record.
 */
export function getDescendants(orion: TaskOrion, taskId: string): ReadonlySet<string> {
  const outgoing = dependencyIndex(orion.dependencies).outgoing();
  const found = new Set<string>();
  const stack = [taskId];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    for (const dependency of outgoing.get(id) ?? []) {
      const next = dependency.toTaskId;
      if (!found.has(next) && next !== taskId) {
        found.add(next);
        stack.push(next);
      }
    }
  }
  return found;
}
