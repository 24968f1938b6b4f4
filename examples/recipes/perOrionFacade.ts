/**
 * Recipe: per-orion synchronization with the facade: one `OrionModificationSynchronizer`
 * per orion, each connected to its own orion's events, disposed when the orion ends.
 */
import { filter, take, type Observable, type SchedulerLike } from "rxjs";
import { isOrionEnded, OrionModificationSynchronizer, type OrionEvent } from "../../src/index.js";

export function synchronizerPerOrion(
  events$: Observable<OrionEvent>,
  scheduler?: SchedulerLike,
): (orionId: string) => OrionModificationSynchronizer {
  const synchronizers = new Map<string, OrionModificationSynchronizer>();
  return (orionId) => {
    let synchronizer = synchronizers.get(orionId);
    if (synchronizer === undefined) {
      const created = new OrionModificationSynchronizer({ ...(scheduler && { scheduler }) });
      const mine$ = events$.pipe(filter((event) => event.orionId === orionId));
      created.connect(mine$);
      // When the orion ends: stop its timers and forget it.
      mine$.pipe(filter(isOrionEnded), take(1)).subscribe(() => {
        created.dispose();
        synchronizers.delete(orionId);
      });
      synchronizers.set(orionId, (synchronizer = created));
    }
    return synchronizer;
  };
}
