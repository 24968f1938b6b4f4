/**
 * Benchmark of `orion-sync/otel` on the fold: ns per event of register + complete cycles
 * (a `TASK_COMPLETED`, then the `ORION_MODIFIED` that answers it) with 100 other
 * modifications pending, for
 * - `bare`: `Subject → pendingModifications()`, not instrumented;
 * - `api`: instrumented with `instrumentState` on the global API with no SDK registered
 *   (what a library user pays when the application does not set OpenTelemetry up);
 * - `sdk`: instrumented on a real tracer and meter (`BasicTracerProvider` with a span
 *   processor that drops finished spans, `MeterProvider` with a reader), so spans, span
 *   events and metric aggregation are all paid for; exporting is not.
 * Run alone with `node --expose-gc dist/bench/otel.js`.
 */
import { pathToFileURL } from "node:url";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, NoopSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { share, Subject, type Subscription } from "rxjs";
import { instrumentState, OrionSyncTelemetry } from "../otel/index.js";
import { pendingModifications } from "../operators/pendingModifications.js";
import type { OrionEvent } from "../src/events.js";
import type { PendingState } from "../src/pending/PendingState.js";
import {
  collectGarbage,
  formatNumber,
  formatRatio,
  interleave,
  markdownTable,
  time,
  type Sample,
} from "./harness.js";

const CYCLES = 20_000;
const WARMUP_CYCLES = 5_000;
const PENDING = 100;
const WARMUP_ROUNDS = 1;
const ROUNDS = 5;
const ORION_ID = "orion-bench";

type Config = "bare" | "api" | "sdk";
const CONFIGS: readonly Config[] = ["bare", "api", "sdk"];

/** A reader that only makes the meter aggregate; collected once at the end of a run. */
class QuietReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

function events(prefix: string, count: number): OrionEvent[] {
  const out: OrionEvent[] = [];
  for (let i = 0; i < count; i++) {
    const taskId = `${prefix}-${i}`;
    out.push(
      { type: "TASK_COMPLETED", orionId: ORION_ID, taskId, eventId: `c-${taskId}` },
      {
        type: "ORION_MODIFIED",
        orionId: ORION_ID,
        onTaskIds: [taskId],
        onEventIds: [`c-${taskId}`],
        eventId: `m-${taskId}`,
      },
    );
  }
  return out;
}

const pre = events("pre", PENDING).filter((e) => e.type === "TASK_COMPLETED");
const warmup = events("warm", WARMUP_CYCLES);
const measured = events("task", CYCLES);

function telemetryFor(config: Config): OrionSyncTelemetry | undefined {
  if (config === "bare") return undefined;
  if (config === "api") return new OrionSyncTelemetry();
  const tracer = new BasicTracerProvider({
    spanProcessors: [new NoopSpanProcessor()],
  }).getTracer("orion-sync");
  const meter = new MeterProvider({ readers: [new QuietReader()] }).getMeter("orion-sync");
  return new OrionSyncTelemetry({ tracer, meter });
}

/** One run: ns per event of the measured cycles. */
function run(config: Config): number {
  const subject = new Subject<OrionEvent>();
  const state$ = subject.pipe(pendingModifications(), share());
  const subscriptions: Subscription[] = [state$.subscribe(() => undefined)];
  const telemetry = telemetryFor(config);
  if (telemetry !== undefined) subscriptions.push(instrumentState(state$, telemetry));
  try {
    for (const event of pre) subject.next(event);
    for (const event of warmup) subject.next(event);
    collectGarbage();
    const ns = time(() => {
      for (const event of measured) subject.next(event);
    });
    return ns / measured.length;
  } finally {
    for (const s of subscriptions) s.unsubscribe();
    subject.complete();
  }
}

/** Checks that the instrumented fold sees every cycle (one span per modification). */
function verify(): void {
  const subject = new Subject<OrionEvent>();
  let last: PendingState | undefined;
  const state$ = subject.pipe(pendingModifications(), share());
  const s = state$.subscribe((state) => (last = state));
  const i = instrumentState(state$, telemetryFor("sdk"));
  for (const event of [...pre, ...warmup.slice(0, 200)]) subject.next(event);
  i.unsubscribe();
  s.unsubscribe();
  if (last?.stats.completedModifications !== 100 || last.pending.size !== PENDING) {
    throw new Error("otel benchmark setup is wrong: the cycles did not complete");
  }
}

/** Runs the benchmark and returns its Markdown section. */
export async function benchOtel(): Promise<string> {
  verify();
  const cases = {} as Record<Config, () => number>;
  for (const config of CONFIGS) cases[config] = () => run(config);
  const samples = await interleave(cases, { warmup: WARMUP_ROUNDS, runs: ROUNDS });
  const ns = (c: Config): number => (samples[c] as Sample).median;
  const row = (c: Config, label: string): string[] => [
    label,
    formatNumber(ns(c)),
    `${formatNumber((samples[c] as Sample).min)}–${formatNumber((samples[c] as Sample).max)}`,
    formatRatio(ns(c) / ns("bare")),
  ];
  return [
    "## OpenTelemetry instrumentation (`orion-sync/otel`)",
    "",
    `The fold with and without \`instrumentState\` attached: ns per event of ${formatNumber(CYCLES)} ` +
      `register + complete cycles (events with ids, one \`orion_sync.modification\` span and ` +
      `five metric updates per cycle) with ${PENDING} other modifications pending, after ` +
      `${formatNumber(WARMUP_CYCLES)} warm-up cycles; median of ${ROUNDS} interleaved rounds ` +
      `after ${WARMUP_ROUNDS} discarded. "No SDK": attached, but no SDK registered (the global ` +
      'no-op tracer and meter). "SDK": a real `BasicTracerProvider` (finished spans dropped ' +
      "by a `NoopSpanProcessor`) and `MeterProvider`, so recording is paid for, exporting is " +
      'not. Without an attachment, nothing of `orion-sync/otel` runs: the "bare fold" row is ' +
      "the fold alone.",
    "",
    markdownTable(
      ["", "ns / event", "range", "vs bare"],
      [
        row("bare", "bare fold"),
        row("api", "instrumented, no SDK"),
        row("sdk", "instrumented, SDK"),
      ],
    ),
    "",
  ].join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchOtel());
}
