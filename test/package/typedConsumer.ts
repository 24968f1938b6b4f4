/**
 * The TypeScript consumers of the packed orion-sync that test/package/pack.test.ts compiles
 * in a fresh project. They are written out as text, not kept as `.ts` files in the repo: the
 * repo's own typecheck would resolve `"orion-sync"` to its own, maybe unbuilt, `dist`.
 */

/** The module specifier of a subpath export: `"."` → `"orion-sync"`. */
export function specifierOf(subpath: string): string {
  return subpath === "." ? "orion-sync" : `orion-sync/${subpath.slice(2)}`;
}

/**
 * An ES module (`typed.ts`) that imports every subpath in `subpaths`, checks that each has
 * real declarations (a missing export is an error, which it would not be for `any`), and
 * type-checks and runs a gated pipeline. Run, it prints
 * `{"whilePending":["extract"],"afterModified":["extract","transform"]}`.
 */
export function typedConsumer(subpaths: readonly string[]): string {
  const entries = subpaths.map((subpath, i) => ({ name: `entry${i}`, subpath }));
  return `import { shareReplay, Subject, type Observable } from "rxjs";
import {
  createEventBus,
  gateReadyTasks,
  pendingModifications,
  type OrionEvent,
  type PendingState,
} from "orion-sync";
import { gateReadyTasks as gateFromOperators } from "orion-sync/operators";
${entries.map((e) => `import * as ${e.name} from "${specifierOf(e.subpath)}";`).join("\n")}

// Every entry has declarations, not \`any\`: reading a name it does not export is an error.
${entries.map((e) => `// @ts-expect-error -- not an export of ${specifierOf(e.subpath)}\nvoid ${e.name}.notAnExport;`).join("\n")}

const bus = createEventBus();
const state$: Observable<PendingState> = bus.events$.pipe(
  pendingModifications({ modificationTimeout: 60_000 }),
  shareReplay({ bufferSize: 1, refCount: true }),
);
const ready$ = new Subject<readonly string[]>();
const started: string[] = [];
const subscription = ready$.pipe(gateReadyTasks(state$)).subscribe((ids) => {
  started.push(...ids);
});

const completed: OrionEvent = { type: "TASK_COMPLETED", orionId: "etl", taskId: "extract" };
// @ts-expect-error -- not an event type
const misspelt: OrionEvent = { type: "TASK_COMPLETE", orionId: "etl", taskId: "extract" };
void misspelt;
// @ts-expect-error -- the gate reads pending states, not numbers
ready$.pipe(gateFromOperators(new Subject<number>()));

ready$.next(["extract"]);
bus.publish(completed);
ready$.next(["transform"]);
const whilePending = [...started];
bus.publish({ type: "ORION_MODIFIED", orionId: "etl", onTaskIds: ["extract"] });
subscription.unsubscribe();
${subpaths.includes("./otel") ? OTEL_USE : ""}bus.close();
console.log(JSON.stringify({ whilePending, afterModified: started }));
`;
}

/**
 * orion-sync/otel, typed and run on the global (no-op) OpenTelemetry API: attached to the
 * same state stream, and detached. Prints nothing.
 */
const OTEL_USE = `{
  const { instrumentState, OrionSyncTelemetry, traceGate } = await import("orion-sync/otel");
  const telemetry = new OrionSyncTelemetry({ parentContext: () => undefined });
  const detach = instrumentState(state$, telemetry);
  const traced = ready$.pipe(traceGate(gateReadyTasks(state$), telemetry)).subscribe();
  // @ts-expect-error -- a telemetry's options, not a number
  void (() => instrumentState(state$, 42));
  traced.unsubscribe();
  detach.unsubscribe();
}
`;

/**
 * A CommonJS module (`typed-commonjs.cts`, for `moduleResolution: node16`) that loads the
 * ESM-only package with `await import()`, type-checks what it gets, and prints the pending
 * counts of the initial state, a completion and its modification: `{"counts":[0,1,0]}`.
 */
export const TYPED_COMMONJS_CONSUMER = `async function run(): Promise<void> {
  const { createEventBus, pendingModifications } = await import("orion-sync");
  const { pendingCount } = await import("orion-sync/operators");
  const bus = createEventBus();
  const counts: number[] = [];
  // @ts-expect-error -- pendingCount emits numbers
  const wrong: string[] = counts;
  void wrong;
  const subscription = bus.events$
    .pipe(pendingModifications(), pendingCount())
    .subscribe((count) => counts.push(count));
  bus.publish({ type: "TASK_COMPLETED", orionId: "etl", taskId: "extract" });
  bus.publish({ type: "ORION_MODIFIED", orionId: "etl", onTaskIds: ["extract"] });
  subscription.unsubscribe();
  bus.close();
  console.log(JSON.stringify({ counts }));
}

// A rejection is unhandled, and Node exits with an error.
void run();
`;
