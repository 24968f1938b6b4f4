/**
 * The real thing under test: an `OrionModificationSynchronizer` on virtual time, with gates
 * bound to it over one ready-task stream, waits, and connected event streams, plus what
 * each of them has produced so far.
 */
import { filter, Subject, take, type Subscription } from "rxjs";
import type { TestScheduler } from "rxjs/testing";
import { skipStaleStates } from "../../operators/skipStaleStates.js";
import type { OrionEvent } from "../../src/events.js";
import type { PendingState, PendingStats } from "../../src/pending/PendingState.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { virtualTime } from "../support/virtualTime.js";
import { reactionTask, type ModelGateOptions } from "./referenceModel.js";

/** What one gate subscription has produced. */
export interface RealGate {
  readonly options: ModelGateOptions;
  readonly out: number[];
  readonly dropped: number[];
  /** Every value pushed while it was subscribed. */
  readonly pushed: number[];
  error: string | undefined;
  subscription: Subscription | undefined;
  unsubscribed: boolean;
}

/** A wait and how it settled. */
export interface RealWait {
  readonly end: number;
  result: boolean | "unsettled" | string;
}

/**
 * Lets every promise callback that is ready run. A wait settles two or three microtasks
 * after the state or timer that decides it (the operator's promise, then the facade's
 * `then`, then ours), so a few rounds are plenty; `drainFully` is the slow, exact version.
 */
export async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < 8; i++) await Promise.resolve();
}

/** Runs everything queued, microtasks and all, by waiting for the next macrotask. */
export function drainFully(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** See the module comment. */
export class RealSystem {
  readonly scheduler: TestScheduler;
  readonly sync: OrionModificationSynchronizer;
  readonly gates: RealGate[] = [];
  readonly waits: RealWait[] = [];
  readonly connections: { readonly subject: Subject<OrionEvent>; sub: Subscription }[] = [];
  /** Safety violations seen by gate subscribers (recorded: a throw there would be lost). */
  readonly violations: string[] = [];
  /** The newest state, as `state$` delivers it. */
  latest!: PendingState;
  /** The newest statistics, as `statistics$` delivers them. */
  latestStats!: PendingStats;
  disposed = false;
  private readonly ready = new Subject<number>();
  /** The orion of each ready value's reaction. */
  private readonly reactions = new Map<number, string>();
  private readonly stateSub: Subscription;
  private readonly statsSub: Subscription;
  private nextValue = 0;
  private reactors = 0;

  constructor(modificationTimeout: number) {
    this.scheduler = virtualTime().scheduler;
    this.sync = new OrionModificationSynchronizer({
      modificationTimeout,
      scheduler: this.scheduler,
    });
    this.stateSub = this.sync.state$.subscribe((s) => {
      if (this.latest === undefined || s.version > this.latest.version) this.latest = s;
    });
    this.statsSub = this.sync.statistics$.subscribe((stats) => (this.latestStats = stats));
  }

  dispose(): void {
    this.disposed = true;
    this.sync.dispose();
  }

  now(): number {
    return this.scheduler.now();
  }

  /** Runs every timer due by `now + ms`, instant by instant, letting promises settle between. */
  async advance(ms: number): Promise<void> {
    const s = this.scheduler;
    const target = s.now() + ms;
    for (;;) {
      const next = s.actions[0];
      if (next === undefined || next.delay > target) break;
      s.maxFrames = next.delay;
      s.flush();
      s.maxFrames = Number.POSITIVE_INFINITY;
      await drainMicrotasks();
    }
    s.frame = target;
  }

  event(value: unknown, via: number): void {
    if (via === 0) this.sync.onEvent(value as OrionEvent);
    else this.connections[via - 1]?.subject.next(value as OrionEvent);
  }

  /** Subscribes a reactor to `state$`: see `ModelReactor`. */
  subscribeReactor(): void {
    const taskId = `s${this.reactors++}`;
    this.sync.state$
      .pipe(
        skipStaleStates(),
        filter((s) => s.pending.size === 0 && s.last.kind === "cleared" && this.now() % 2 === 0),
        take(1),
      )
      .subscribe(() => this.sync.onEvent({ type: "TASK_COMPLETED", orionId: "o0", taskId }));
  }

  /** Pushes the next ready value; with `reaction` (an orion id), see the `ready` step. */
  pushReady(reaction: string | undefined): void {
    const value = this.nextValue++;
    if (reaction !== undefined) this.reactions.set(value, reaction);
    for (const g of this.gates)
      if (g.subscription !== undefined && !g.unsubscribed) g.pushed.push(value);
    this.ready.next(value);
  }

  subscribeGate(options: ModelGateOptions): void {
    const index = this.gates.length;
    const g: RealGate = {
      options,
      out: [],
      dropped: [],
      pushed: [],
      error: undefined,
      subscription: undefined,
      unsubscribed: false,
    };
    this.gates.push(g);
    g.subscription = this.ready
      .pipe(
        this.sync.gate<number>({
          release: options.release,
          maxHeld: options.maxHeld,
          overflow: options.overflow,
          onDrop: (v) => g.dropped.push(v),
        }),
      )
      .subscribe({
        next: (v) => {
          const pending = this.sync.getPendingCount();
          if (pending !== 0)
            this.violations.push(`value ${v} left a gate while ${pending} pending`);
          g.out.push(v);
          const orionId = this.reactions.get(v);
          if (options.reacts && orionId !== undefined && this.now() % 2 === 0) {
            this.sync.onEvent({ type: "TASK_COMPLETED", orionId, taskId: reactionTask(v, index) });
          }
        },
        error: (error: unknown) => {
          g.error = error instanceof Error ? error.name : String(error);
        },
      });
  }

  unsubscribeGate(g: RealGate): void {
    g.unsubscribed = true;
    g.subscription?.unsubscribe();
  }

  wait(timeout: number | undefined): void {
    const w: RealWait = {
      end: this.now() + (timeout ?? this.sync.getModificationTimeout()),
      result: "unsettled",
    };
    this.waits.push(w);
    try {
      this.sync.waitForPendingModifications(timeout).then(
        (settled) => (w.result = settled),
        (error: unknown) => (w.result = `rejected: ${String(error)}`),
      );
    } catch (error) {
      w.result = error instanceof Error ? error.name : String(error);
    }
  }

  /** `setModificationTimeout`; the name of what it threw, if it did. */
  setTimeout(ms: number): string | undefined {
    try {
      this.sync.setModificationTimeout(ms);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.name : String(error);
    }
  }

  /** `connect` a new event stream; the name of what it threw, if it did. */
  connect(): string | undefined {
    const subject = new Subject<OrionEvent>();
    try {
      this.connections.push({ subject, sub: this.sync.connect(subject) });
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.name : String(error);
    }
  }

  /** Ends everything this system started. */
  close(): void {
    for (const g of this.gates) g.subscription?.unsubscribe();
    for (const c of this.connections) c.sub.unsubscribe();
    this.stateSub.unsubscribe();
    this.statsSub.unsubscribe();
    this.sync.dispose();
  }
}
