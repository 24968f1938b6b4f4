/* global console, process */
/**
 * An ES module consumer of the packed orion-sync, run by test/package/pack.test.ts inside a
 * fresh project. It imports every subpath named on the command line (".", "./operators",
 * ...), runs a tiny gated pipeline (bus → pendingModifications → gateReadyTasks) and prints
 * one JSON line for the test to check.
 */
import { shareReplay, Subject } from "rxjs";
import * as main from "orion-sync";
import { createEventBus, gateReadyTasks, pendingModifications } from "orion-sync";
import * as operators from "orion-sync/operators";

const exportNames = {};
for (const subpath of process.argv.slice(2)) {
  const specifier = subpath === "." ? "orion-sync" : `orion-sync/${subpath.slice(2)}`;
  exportNames[subpath] = Object.keys(await import(specifier)).sort();
}

// The main entry re-exports every operator: the same functions, not copies.
const operatorsInMain = Object.keys(operators).filter((name) => main[name] === operators[name]);

const bus = createEventBus();
const state$ = bus.events$.pipe(
  pendingModifications({ modificationTimeout: 60_000 }),
  shareReplay({ bufferSize: 1, refCount: true }),
);
const ready$ = new Subject();
const started = [];
const subscription = ready$.pipe(gateReadyTasks(state$)).subscribe((ids) => started.push(...ids));

const steps = {};
ready$.next(["extract"]); // nothing pending: passes at once
steps.beforeCompletion = [...started];
bus.publish({ type: "TASK_COMPLETED", orionId: "etl", taskId: "extract" });
ready$.next(["transform"]); // the agent owes a modification: held
steps.whilePending = [...started];
bus.publish({ type: "ORION_MODIFIED", orionId: "etl", onTaskIds: ["extract"] });
steps.afterModified = [...started];

subscription.unsubscribe();
bus.close();
console.log(
  JSON.stringify({
    exportNames,
    operators: Object.keys(operators).sort(),
    operatorsInMain: operatorsInMain.sort(),
    steps,
  }),
);
