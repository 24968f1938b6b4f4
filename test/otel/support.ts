/** An in-memory OpenTelemetry SDK for the otel tests: spans and metrics read back exactly. */
import { ROOT_CONTEXT, trace, type Context, type HrTime } from "@opentelemetry/api";
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";
import type { SchedulerLike } from "rxjs";
import { OrionSyncTelemetry } from "../../otel/index.js";

/** A reader collected on demand (cumulative, so counters read as totals). */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** One metric's points: attributes and value (a histogram point's value is its count and sum). */
export interface Point {
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly value: number | { readonly count: number; readonly sum: number };
}

/** The test SDK: a telemetry on it, a parent span per orion, and readers of what it recorded. */
export interface TestSdk {
  readonly telemetry: OrionSyncTelemetry;
  /** The root span each orion's spans hang under (ended by {@link TestSdk.spans}). */
  readonly parents: Map<string, { readonly context: Context; readonly spanId: string }>;
  /** Finished spans of orion-sync (not the parents), in end order. */
  spans(): ReadableSpan[];
  /** Every point of every metric, by name. */
  metrics(): Promise<Record<string, Point[]>>;
}

export function testSdk(scheduler: SchedulerLike): TestSdk {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const parents = new Map<string, { readonly context: Context; readonly spanId: string }>();
  const tracer = provider.getTracer("test");
  const telemetry = new OrionSyncTelemetry({
    tracer: provider.getTracer("orion-sync"),
    meter: meterProvider.getMeter("orion-sync"),
    scheduler,
    parentContext: (orionId) => {
      let parent = parents.get(orionId);
      if (parent === undefined) {
        const span = tracer.startSpan(`run ${orionId}`, {}, ROOT_CONTEXT);
        parent = { context: trace.setSpan(ROOT_CONTEXT, span), spanId: span.spanContext().spanId };
        parents.set(orionId, parent);
      }
      return parent.context;
    },
  });
  return {
    telemetry,
    parents,
    spans: () =>
      exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === "orion-sync"),
    metrics: async () => {
      const { resourceMetrics } = await reader.collect();
      const out: Record<string, Point[]> = {};
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          out[metric.descriptor.name] = metric.dataPoints.map((p) => ({
            attributes: p.attributes,
            value:
              metric.dataPointType === DataPointType.HISTOGRAM
                ? {
                    count: (p.value as { count: number }).count,
                    sum: (p.value as { sum: number }).sum,
                  }
                : (p.value as number),
          }));
        }
      }
      return out;
    },
  };
}

/** HrTime → ms. */
export const ms = (t: HrTime): number => t[0] * 1000 + t[1] / 1e6;

/** The sum of a metric's values (histograms: their counts), optionally for one orion. */
export function total(points: readonly Point[] | undefined, orionId?: string): number {
  let sum = 0;
  for (const p of points ?? []) {
    if (orionId !== undefined && p.attributes["orion_sync.orion.id"] !== orionId) continue;
    sum += typeof p.value === "number" ? p.value : p.value.count;
  }
  return sum;
}
