/**
 * A full garbage collection that `WeakRef` checks can rely on, for tests that show something
 * is no longer kept alive.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/**
 * Collects garbage once the current job has ended: a `WeakRef`'s target stays alive until
 * then, whatever the collector finds.
 */
export async function collectGarbage(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}
