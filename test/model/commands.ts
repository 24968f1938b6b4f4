/**
 * fast-check commands that apply one {@link Step} to the reference model and to the real
 * synchronizer, then check that everything observable agrees and that the safety and
 * liveness invariants hold on the real thing (independently of the model).
 */
import type fc from "fast-check";
import { expect } from "vitest";
import type { ModelGate, ReferenceModel } from "./referenceModel.js";
import { drainMicrotasks, type RealSystem } from "./realSystem.js";
import { describeStep, type Step } from "./steps.js";

/** What fast-check's model is: the reference model and the ready values it has pushed. */
export interface ModelBox {
  readonly model: ReferenceModel;
  nextValue: number;
}

const labels = new WeakMap<object, number>();
let labelCount = 0;
/** A name for an orion object, so that identities can be compared as strings. */
function label(o: unknown): string {
  if (o === undefined) return "none";
  if (typeof o !== "object" || o === null) return `not an orion: ${String(o)}`;
  let n = labels.get(o);
  if (n === undefined) labels.set(o, (n = ++labelCount));
  return `orion #${n}`;
}

/** Applies `step` to the model; returns the name of the error the real call should throw. */
function applyToModel(box: ModelBox, step: Step): string | undefined {
  const m = box.model;
  switch (step.k) {
    case "event":
      if (step.via === 0) m.event(step.event);
      else m.eventVia(step.event, step.via - 1);
      return;
    case "ready": {
      const value = box.nextValue++;
      m.ready(step.reaction === undefined ? { value } : { value, reaction: step.reaction });
      return;
    }
    case "gate":
      m.subscribeGate(step.options);
      return;
    case "ungate": {
      const g = m.gates[step.index % Math.max(1, m.gates.length)];
      if (g !== undefined) m.unsubscribeGate(g);
      return;
    }
    case "wait":
      if (step.timeout === undefined) {
        // The default timeout is even: start one millisecond late so the wait ends on an odd instant.
        m.advance(1);
        m.wait(undefined);
        m.advance(1);
      } else m.wait(step.timeout);
      return;
    case "clear":
      m.clear();
      return;
    case "reactor":
      m.subscribeReactor();
      return;
    case "setTimeout":
      return m.setTimeout(step.ms);
    case "advance":
      m.advance(step.ms);
      return;
    case "connect":
      return m.connect();
    case "disconnect":
      m.disconnect(step.index % Math.max(1, m.connections.length));
      return;
    case "dispose":
      m.dispose();
      return;
  }
}

async function applyToReal(r: RealSystem, step: Step): Promise<string | undefined> {
  let thrown: string | undefined;
  switch (step.k) {
    case "event":
      r.event(step.value, step.via);
      break;
    case "ready":
      r.pushReady(step.reaction);
      break;
    case "gate":
      r.subscribeGate(step.options);
      break;
    case "ungate": {
      const g = r.gates[step.index % Math.max(1, r.gates.length)];
      if (g !== undefined) r.unsubscribeGate(g);
      break;
    }
    case "wait":
      if (step.timeout === undefined) {
        await r.advance(1);
        r.wait(undefined);
        await drainMicrotasks();
        await r.advance(1);
      } else r.wait(step.timeout);
      break;
    case "clear":
      r.sync.clearPendingModifications();
      break;
    case "reactor":
      r.subscribeReactor();
      break;
    case "setTimeout":
      thrown = r.setTimeout(step.ms);
      break;
    case "advance":
      await r.advance(step.ms);
      break;
    case "connect":
      thrown = r.connect();
      break;
    case "disconnect":
      r.connections[step.index % Math.max(1, r.connections.length)]?.sub.unsubscribe();
      break;
    case "dispose":
      r.dispose();
      break;
  }
  await drainMicrotasks();
  return thrown;
}

function gateView(g: { out: number[]; dropped: number[]; error: string | undefined }) {
  return { out: g.out, dropped: g.dropped, error: g.error ?? null };
}

/** Everything observable, as the model predicts it. */
export function expected(box: ModelBox): unknown {
  const m = box.model;
  const pending = m.pending();
  return {
    now: m.now,
    pending: pending
      .map(({ orionId, taskId, record: r }) =>
        r.phase === "pending"
          ? `${orionId}/${taskId} ${r.cause} ${r.registeredAt}..${r.deadline}`
          : "?",
      )
      .sort(),
    pendingTaskIds: pending.map((p) => p.taskId).sort(),
    pendingCount: pending.length,
    hasPending: pending.length > 0,
    anticipated: [...m.records.values()].filter((r) => r.phase === "anticipated").length,
    stats: { ...m.stats },
    statistics$: { ...m.stats },
    timeout: m.timeout,
    gates: m.gates.map((g: ModelGate) => gateView(g)),
    waits: m.waits.map((w) => w.result),
    currentOrion: label(m.currentOrion),
    orions: ["o0", "o1"].map((id) => label(m.orions.get(id))),
  };
}

/** Everything observable, as the real thing shows it. */
export function observed(r: RealSystem): unknown {
  const s = r.sync;
  const state = r.latest;
  const pending = state.pending.size === 0 ? [] : [...state.pending.values()];
  return {
    now: r.now(),
    pending: pending
      .map((e) => `${e.orionId}/${e.taskId} ${e.cause} ${e.registeredAt}..${e.deadline}`)
      .sort(),
    pendingTaskIds: s.getPendingTaskIds().sort(),
    pendingCount: s.getPendingCount(),
    hasPending: s.hasPendingModifications(),
    anticipated: state.anticipatedCount,
    stats: s.getStatistics(),
    statistics$: { ...r.latestStats },
    timeout: s.getModificationTimeout(),
    gates: r.gates.map((g) => gateView(g)),
    waits: r.waits.map((w) => w.result),
    currentOrion: label(s.getCurrentOrion()),
    orions: ["o0", "o1"].map((id) => label(s.getCurrentOrion(id))),
  };
}

/** Model and real agree on everything observable. */
export function checkAgreement(box: ModelBox, r: RealSystem): void {
  const want = expected(box);
  const got = observed(r);
  if (!same(got, want)) expect(got).toEqual(want);
}

/** Deep equality of the plain data `expected` and `observed` make (faster than JSON). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * The invariants, on the real thing alone. Safety: no value left a gate while something
 * was pending. Liveness: nothing stays pending past its deadline; with nothing pending, no
 * gate still holds a value (`all`: every value pushed came out or was dropped; `latest`:
 * the newest came out); every wait has settled by its timeout.
 */
export function checkInvariants(r: RealSystem): void {
  const broken: string[] = [...r.violations];
  const stats = r.sync.getStatistics();
  const owed = r.latest.owedCount;
  const pending = r.sync.getPendingCount();
  const ended = stats.completedModifications + stats.timeoutModifications;
  if (stats.totalModifications !== ended + stats.clearedModifications + owed) {
    broken.push(`total != completed + timeout + cleared + owed: ${JSON.stringify(stats)}`);
  }
  const now = r.now();
  if (!r.disposed) {
    for (const e of r.latest.pending.values()) {
      if (e.deadline <= now) broken.push(`${e.taskId} still pending at ${now}, past ${e.deadline}`);
    }
  }
  r.waits.forEach((w, i) => {
    if (w.end <= now && w.result === "unsettled") broken.push(`wait ${i} unsettled past its end`);
  });
  if (pending === 0) {
    r.gates.forEach((g, i) => {
      if (g.unsubscribed || g.error !== undefined) return;
      const holds =
        g.options.release === "all"
          ? g.out.length + g.dropped.length !== g.pushed.length
          : g.pushed.length > 0 && g.out.at(-1) !== g.pushed.at(-1);
      if (holds) broken.push(`gate ${i} holds a value with nothing pending`);
    });
  }
  // Only on failure: vitest's expect is slow for a check made after every step.
  if (broken.length > 0) expect(broken).toEqual([]);
}

/** One step as a fast-check command. */
export class StepCommand implements fc.AsyncCommand<ModelBox, RealSystem> {
  constructor(readonly step: Step) {}

  /**
   * Every step can run, except that a gate is subscribed only while no wait or reactor is
   * listening. So every gate hears of a state before them, whether the facade gives each
   * gate its own subscription to `state$` or one shared by all its gates (the order decides
   * whether a wait sees the instant before a re-entrant reaction refills the set).
   */
  check(box: Readonly<ModelBox>): boolean {
    return this.step.k !== "gate" || !box.model.waitingOrReacting();
  }

  async run(box: ModelBox, r: RealSystem): Promise<void> {
    const modelThrown = applyToModel(box, this.step);
    const realThrown = await applyToReal(r, this.step);
    if (realThrown !== modelThrown) expect(realThrown ?? null).toBe(modelThrown ?? null);
    checkAgreement(box, r);
    checkInvariants(r);
  }

  toString(): string {
    return describeStep(this.step);
  }
}
