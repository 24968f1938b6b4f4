/** Spans of a gate's holds, from outside the gate: what goes in, what comes out, when. */
import { Observable, Subject, type MonoTypeOperatorFunction } from "rxjs";
import { telemetryOf, type TelemetryInput } from "./telemetry.js";

/** Options of {@link traceGate}. */
export interface TraceGateOptions<T> {
  /**
   * The orion of the gated values, as the gate's own `orionId` option: holds are per
   * orion, linked to that orion's pending modifications. Default: one hold for the whole
   * gate, linked to every pending modification.
   */
  readonly orionId?: string | ((value: T) => string);
}

/** An open hold of the traced gate. */
type Hold = ReturnType<ReturnType<typeof telemetryOf>["newHold"]>;

/**
 * Wraps a gate (`gateReadyTasks(...)`, `sync.gate(...)`) so that each time it holds values
 * is an `orion_sync.gate.hold` span: from the first value it did not pass at once to the
 * release, with the number of values held and a link to every modification span it waited
 * for (record those with `instrumentState` / `instrumentSynchronizer` on the same
 * telemetry). Values that pass at once make no span. Times come from the telemetry's
 * `scheduler`: give it the gate's.
 *
 * @example
 * ready$.pipe(traceGate(sync.gate({ orionId: "etl" }), telemetry, { orionId: "etl" }))
 */
export function traceGate<T>(
  gate: MonoTypeOperatorFunction<T>,
  telemetry?: TelemetryInput,
  options: TraceGateOptions<T> = {},
): MonoTypeOperatorFunction<T> {
  const t = telemetryOf(telemetry);
  const orionOf = options.orionId;
  const keyOf = (value: T): string | undefined =>
    typeof orionOf === "function" ? orionOf(value) : orionOf;
  return (source) =>
    new Observable<T>((subscriber) => {
      const holds = new Map<string | undefined, Hold>();
      const input = new Subject<T>();
      let passed = false;
      const output = input.pipe(gate).subscribe({
        next: (value) => {
          passed = true;
          const orionId = keyOf(value);
          const hold = holds.get(orionId);
          if (hold !== undefined) {
            holds.delete(orionId);
            t.endGateHold(orionId, hold, t.scheduler.now());
          }
          subscriber.next(value);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      const upstream = source.subscribe({
        next: (value) => {
          passed = false;
          input.next(value);
          if (passed) return;
          // Not passed in the same call: held until the gate opens.
          const orionId = keyOf(value);
          let hold = holds.get(orionId);
          if (hold === undefined) {
            hold = t.newHold(orionId, t.scheduler.now());
            holds.set(orionId, hold);
          }
          hold.values++;
        },
        error: (error: unknown) => input.error(error),
        complete: () => input.complete(),
      });
      return () => {
        upstream.unsubscribe();
        output.unsubscribe();
        // Never released: no span, but the recorder forgets them.
        for (const [orionId, hold] of holds) t.endGateHold(orionId, hold);
        holds.clear();
      };
    });
}
