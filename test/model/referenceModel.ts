/**
 * The reference model of the synchronizer: the facade (`OrionModificationSynchronizer`),
 * the gates bound to it and its waits, written as plain mutable code from docs/concepts.md
 * with no RxJS, no persistent maps and no timers. Model-based tests drive it and the real
 * thing through the same steps and compare everything observable after every step.
 *
 * The rules, in plain words:
 *
 * - **Keys.** Everything is known per (orion, task). Two orions never touch each other.
 * - **Completion.** A `TASK_COMPLETED` / `TASK_FAILED` of a task we know nothing about
 *   registers a pending modification (counted in `total`), due one modification timeout
 *   later (the timeout in force now). If the agent already answered that task (an
 *   _anticipation_), it registers and completes at once (`total` and `completed`). If the
 *   task is pending, or its modification ended and the task was not started since, it is a
 *   `duplicate`.
 * - **Answer.** An `ORION_MODIFIED` looks at each distinct task id it lists: pending →
 *   completed (`completed`); nothing known → remembered as anticipated until one timeout
 *   from now (`unmatched`); timed out or cleared → `late`; already answered or anticipated
 *   → `duplicate`. Its `newOrion` becomes the current orion and that orion's entry.
 * - **Start.** A `TASK_STARTED` forgets an ended or anticipated task (a retry's completion
 *   registers again); a pending one stays pending, marked restarted: its next end registers
 *   a second modification, and the answers complete them oldest first.
 * - **Orions.** `ORION_STARTED` sets the current orion and its entry; `ORION_COMPLETED` /
 *   `ORION_FAILED` remove the entry (the current orion and pending work stay).
 * - **Invalid.** A value that is not an event counts in `invalid` and changes nothing else.
 * - **Time.** When a deadline comes, the pending modification times out (`timeout`) and an
 *   anticipation is forgotten. An ended modification is remembered (for duplicates and
 *   late answers) for one timeout (the one in force when it ended), then forgotten.
 * - **Clear.** Every pending modification ends, counted as `cleared` (or as `timeout` when
 *   a wait's timeout cleared it). With nothing pending, a clear does nothing.
 * - **Timeout change.** New registrations (and anticipations, and memories) use the new
 *   timeout; pending ones keep their deadline. An invalid timeout throws and changes nothing.
 * - **Gate.** Open while nothing is pending. Open: a value passes at once. Closed: it is
 *   held (`latest`: only the newest; `all`: in order, at most `maxHeld`, then an error or
 *   the oldest is dropped). When the pending set empties, held values leave, in order, at
 *   once; if one of them makes a modification pending (its subscriber reacts
 *   synchronously), the rest stay held. Unsubscribing drops what is held.
 * - **Wait.** Settles `true` at once if nothing is pending, else at the first state it hears
 *   with nothing pending (even one a reaction has since made old), emptied by a completion
 *   or a timeout; `false` when emptied by a clear, or when its own timeout (default: the
 *   modification timeout in force when it started) passes first, and then what was
 *   registered before it began and is still pending is cleared, counted as timed out. A
 *   bad timeout throws at once.
 * - **Announcements.** Every change of state is announced to the gates, waits and other
 *   subscribers in the order they subscribed. If one of them reacts by changing the state
 *   again, everyone hears of the newer state first and then ignores the older one. (The
 *   tests subscribe a gate only while no wait or reactor listens, so gates hear first.)
 * - **Reactions.** Code downstream may react synchronously: a gate subscriber that starts
 *   (and at once ends) a task for a value it receives ({@link ModelReady}), or a state
 *   subscriber that does so after a clear ({@link ModelReactor}). They react only at even
 *   instants, which keeps every deadline on an even instant and every wait's end on an odd
 *   one (see `steps.ts`).
 * - **Dispose.** Everything stops: events, clears and timeouts change nothing, an open
 *   gate stays open forever, a closed gate fails (`GateStateEndedError`), and every wait,
 *   now or later, settles `false`. A gate subscribed afterwards fails at once.
 */

/** A task key's record: pending, anticipated, or ended (and remembered until `forgetAt`). */
export type ModelRecord =
  | {
      readonly phase: "pending";
      readonly cause: "TASK_COMPLETED" | "TASK_FAILED";
      readonly registeredAt: number;
      readonly deadline: number;
      readonly seq: number;
      /** Younger modifications of the same task (a retry's end while this one was owed). */
      readonly later: readonly Owed[];
      /** Started again since its newest modification: an id-less end registers anew. */
      readonly restarted: boolean;
    }
  | { readonly phase: "anticipated"; readonly deadline: number }
  | { readonly phase: "completed" | "timed-out" | "cleared"; readonly forgetAt: number };

/** One owed modification of a task. */
interface Owed {
  readonly cause: "TASK_COMPLETED" | "TASK_FAILED";
  readonly registeredAt: number;
  readonly deadline: number;
  /** Its registration number (`total` right after it registered). */
  readonly seq: number;
}

/** The statistics, with the facade's names. */
export interface ModelStats {
  totalModifications: number;
  completedModifications: number;
  timeoutModifications: number;
  clearedModifications: number;
  duplicateEvents: number;
  unmatchedModifications: number;
  lateModifications: number;
  invalidEvents: number;
}

/** An event as the model sees it (the test knows which values are invalid). */
export type ModelEvent =
  | {
      readonly type: "TASK_COMPLETED" | "TASK_FAILED" | "TASK_STARTED";
      readonly orionId: string;
      readonly taskId: string;
    }
  | {
      readonly type: "ORION_MODIFIED";
      readonly orionId: string;
      readonly onTaskIds: readonly string[];
      readonly newOrion?: object;
    }
  | { readonly type: "ORION_STARTED"; readonly orionId: string; readonly orion: object }
  | { readonly type: "ORION_COMPLETED" | "ORION_FAILED"; readonly orionId: string }
  | { readonly type: "INVALID" };

/** Gate options, as given to `synchronizer.gate()`. */
export interface ModelGateOptions {
  readonly release: "latest" | "all";
  readonly maxHeld: number;
  readonly overflow: "error" | "drop-oldest";
  /** Its subscriber publishes each released value's reaction, if any (see {@link ModelReady}). */
  readonly reacts: boolean;
}

/**
 * A ready-task value. With `reaction` (an orion id), a reacting subscriber of gate `g`
 * that receives it publishes `TASK_COMPLETED` of task `r<value>.g<g>` of that orion: a
 * task it started and that ended at once. No other event names such a task, so the
 * reaction always makes a new modification pending, in the middle of a release.
 */
export interface ModelReady {
  readonly value: number;
  readonly reaction?: string;
}

/** The task a reacting subscriber of gate number `gate` completes when it receives `value`. */
export const reactionTask = (value: number, gate: number): string => `r${value}.g${gate}`;

/** One gate subscription of the model. */
export class ModelGate {
  readonly out: number[] = [];
  readonly dropped: number[] = [];
  held: ModelReady[] = [];
  error: string | undefined;
  active = true;
  open = false;
  seen = -1;
  constructor(readonly options: ModelGateOptions) {}
}

/**
 * A plain subscriber of `state$` that, the first time it hears that a clear emptied the
 * pending set (at an even instant), completes a new task `s<n>` of orion `o0`: code that
 * reacts to a clear by starting work, such as an orchestrator released by it.
 */
export class ModelReactor {
  seen = -1;
  constructor(readonly taskId: string) {}
}

/** One wait of the model. */
export class ModelWait {
  result: boolean | "unsettled" | "RangeError" = "unsettled";
  seen = -1;
  /**
   * @param end - when its timeout passes
   * @param registeredBefore - `total` when it began: its timeout clears only those
   */
  constructor(
    readonly end: number,
    readonly registeredBefore = 0,
  ) {}
}

const key = (orionId: string, taskId: string): string => `${orionId}\u0000${taskId}`;

/** See the module comment. */
export class ReferenceModel {
  now = 0;
  disposed = false;
  readonly records = new Map<string, ModelRecord & { orionId: string; taskId: string }>();
  readonly stats: ModelStats = {
    totalModifications: 0,
    completedModifications: 0,
    timeoutModifications: 0,
    clearedModifications: 0,
    duplicateEvents: 0,
    unmatchedModifications: 0,
    lateModifications: 0,
    invalidEvents: 0,
  };
  currentOrion: object | undefined;
  readonly orions = new Map<string, object>();
  readonly gates: ModelGate[] = [];
  readonly waits: ModelWait[] = [];
  /** Connected event streams: whether each still feeds the synchronizer. */
  readonly connections: boolean[] = [];
  /** Gates, waits and reactors, in the order they subscribed to the state. */
  private listeners: (ModelGate | ModelWait | ModelReactor)[] = [];
  private reactors = 0;
  private version = 0;
  private lastWasClear = false;

  constructor(public timeout: number) {}

  /** Whether reacting subscribers react now (see the tests: only at even instants). */
  reactionsEnabled = (): boolean => this.now % 2 === 0;

  // ---- what is observable ----

  /** The pending modifications. */
  pending(): { orionId: string; taskId: string; record: ModelRecord }[] {
    return [...this.records.values()]
      .filter((r) => r.phase === "pending")
      .map((r) => ({ orionId: r.orionId, taskId: r.taskId, record: r }));
  }

  pendingCount(): number {
    return this.pending().length;
  }

  // ---- inputs ----

  /** An event reaches the synchronizer (through `onEvent` or a live connection). */
  event(e: ModelEvent): void {
    if (this.disposed) return;
    if (e.type === "INVALID") {
      this.stats.invalidEvents++;
    } else if (e.type === "TASK_COMPLETED" || e.type === "TASK_FAILED") {
      const r = this.lookup(e.orionId, e.taskId);
      const owed: Owed = {
        cause: e.type,
        registeredAt: this.now,
        deadline: this.now + this.timeout,
        seq: this.stats.totalModifications + 1,
      };
      if (r === undefined) {
        this.set(e.orionId, e.taskId, { phase: "pending", ...owed, later: [], restarted: false });
        this.stats.totalModifications++;
      } else if (r.phase === "pending" && r.restarted) {
        // A retry ended while the earlier run's modification is owed: both need an answer.
        this.set(e.orionId, e.taskId, { ...r, later: [...r.later, owed], restarted: false });
        this.stats.totalModifications++;
      } else if (r.phase === "anticipated") {
        this.end(e.orionId, e.taskId, "completed");
        this.stats.totalModifications++;
        this.stats.completedModifications++;
      } else {
        this.stats.duplicateEvents++;
      }
    } else if (e.type === "TASK_STARTED") {
      const r = this.lookup(e.orionId, e.taskId);
      if (r === undefined) return; // nothing changes
      if (r.phase === "pending") {
        // Nothing observable changes: the next end of the task is a new run's.
        this.set(e.orionId, e.taskId, { ...r, restarted: true });
        return;
      }
      this.records.delete(key(e.orionId, e.taskId));
    } else if (e.type === "ORION_MODIFIED") {
      for (const taskId of new Set(e.onTaskIds)) {
        const r = this.lookup(e.orionId, taskId);
        if (r === undefined) {
          this.set(e.orionId, taskId, { phase: "anticipated", deadline: this.now + this.timeout });
          this.stats.unmatchedModifications++;
        } else if (r.phase === "pending") {
          // The oldest owed modification of the task is answered.
          const [next, ...later] = r.later;
          if (next === undefined) this.end(e.orionId, taskId, "completed");
          else this.set(e.orionId, taskId, { ...r, ...next, later });
          this.stats.completedModifications++;
        } else if (r.phase === "timed-out" || r.phase === "cleared") {
          this.stats.lateModifications++;
        } else {
          this.stats.duplicateEvents++;
        }
      }
      if (e.newOrion !== undefined) {
        this.currentOrion = e.newOrion;
        this.orions.set(e.orionId, e.newOrion);
      }
    } else if (e.type === "ORION_STARTED") {
      this.currentOrion = e.orion;
      this.orions.set(e.orionId, e.orion);
    } else {
      this.orions.delete(e.orionId);
    }
    this.announce(false);
  }

  /** An event on connection `index`: it arrives only while that connection is live. */
  eventVia(e: ModelEvent, index: number): void {
    if (this.connections[index] === true) this.event(e);
  }

  /** `connect(events$)`: throws ("Error") after dispose. */
  connect(): "Error" | undefined {
    if (this.disposed) return "Error";
    this.connections.push(true);
    return undefined;
  }

  /** Unsubscribes connection `index`. */
  disconnect(index: number): void {
    if (index < this.connections.length) this.connections[index] = false;
  }

  /**
   * `clearPendingModifications()`, or (`timed-out`) the clear of a timed-out wait, which
   * ends only the modifications registered before the wait began.
   */
  clear(countAs: "cleared" | "timed-out" = "cleared", registeredBefore = Infinity): void {
    if (this.disposed) return;
    const pending = this.pending();
    if (pending.length === 0) return;
    let n = 0;
    for (const { orionId, taskId, record } of pending) {
      if (record.phase !== "pending") continue;
      const owed: Owed[] = [record, ...record.later];
      const left = owed.filter((o) => o.seq > registeredBefore);
      n += owed.length - left.length;
      const [next, ...later] = left;
      if (next === undefined) this.end(orionId, taskId, countAs);
      else if (left.length < owed.length) this.set(orionId, taskId, { ...record, ...next, later });
    }
    if (n === 0) return;
    if (countAs === "cleared") this.stats.clearedModifications += n;
    else this.stats.timeoutModifications += n;
    this.announce(true);
  }

  /** `setModificationTimeout(ms)`; returns "RangeError" if it throws. */
  setTimeout(ms: number): "RangeError" | undefined {
    if (!(Number.isFinite(ms) && ms > 0)) return "RangeError";
    if (this.disposed || ms === this.timeout) return undefined;
    this.timeout = ms;
    this.announce(false);
    return undefined;
  }

  /** `waitForPendingModifications(timeout)`. */
  wait(timeout: number | undefined): ModelWait {
    const ms = timeout ?? this.timeout;
    const w = new ModelWait(this.now + ms, this.stats.totalModifications);
    this.waits.push(w);
    if (!(Number.isFinite(ms) && ms > 0)) w.result = "RangeError";
    else if (this.disposed) w.result = false;
    else if (this.pendingCount() === 0) w.result = true;
    else {
      w.seen = this.version;
      this.listeners.push(w);
    }
    return w;
  }

  /** `synchronizer.gate(options)` subscribed to the ready-task stream. */
  subscribeGate(options: ModelGateOptions): ModelGate {
    const g = new ModelGate(options);
    this.gates.push(g);
    if (this.disposed) {
      g.error = "GateStateEndedError";
      g.active = false;
      return g;
    }
    this.listeners.push(g);
    g.seen = this.version;
    g.open = this.pendingCount() === 0;
    return g;
  }

  /** Whether a wait or a reactor is listening (the tests subscribe no gate then). */
  waitingOrReacting(): boolean {
    return this.listeners.some((l) => !(l instanceof ModelGate));
  }

  /** Subscribes a {@link ModelReactor}; it hears the current state at once. */
  subscribeReactor(): void {
    const r = new ModelReactor(`s${this.reactors++}`);
    if (this.disposed) return;
    r.seen = this.version;
    if (!this.react(r)) this.listeners.push(r);
  }

  /** Unsubscribes a gate's output: what it holds is dropped. */
  unsubscribeGate(g: ModelGate): void {
    g.active = false;
    g.held = [];
    this.listeners = this.listeners.filter((l) => l !== g);
  }

  /** The orchestrator emits a ready-task value into every gate, in subscription order. */
  ready(r: ModelReady): void {
    for (const g of [...this.gates]) {
      if (!g.active) continue;
      if (g.open && g.held.length === 0) {
        this.emit(g, r);
      } else if (g.options.release === "latest") {
        g.held = [r];
      } else {
        if (g.held.length >= g.options.maxHeld) {
          if (g.options.overflow === "error") {
            this.fail(g, "GateOverflowError");
            continue;
          }
          g.dropped.push((g.held.shift() as ModelReady).value);
        }
        g.held.push(r);
      }
    }
  }

  /** Virtual time passes: deadlines and wait timeouts fire in time order. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      const next = this.nextDue();
      if (next === undefined || next > target) break;
      this.now = next;
      // Deadlines (a modification timing out, an anticipation forgotten), all in one step.
      let changed = false;
      for (const [k, r] of [...this.records]) {
        const due =
          r.phase === "pending"
            ? [r, ...r.later].some((o) => o.deadline <= this.now)
            : r.phase === "anticipated" && r.deadline <= this.now;
        if (due) {
          if (r.phase === "pending") {
            // Every owed modification of the task whose deadline came times out.
            const owed = [r as Owed, ...r.later];
            const left = owed.filter((o) => o.deadline > this.now);
            this.stats.timeoutModifications += owed.length - left.length;
            const [next, ...later] = left;
            if (next === undefined) this.end(r.orionId, r.taskId, "timed-out");
            else this.set(r.orionId, r.taskId, { ...r, ...next, later });
          } else this.records.delete(k);
          changed = true;
        }
      }
      if (changed) this.announce(false);
      // Waits whose timeout passed settle false, then each clears what is still pending.
      const due = this.listeners.filter((l): l is ModelWait => l instanceof ModelWait);
      const timedOut = due.filter((w) => w.end <= this.now);
      for (const w of timedOut) this.settle(w, false);
      for (const w of timedOut) {
        if (this.pendingCount() > 0) this.clear("timed-out", w.registeredBefore);
      }
    }
    this.now = target;
  }

  /** `dispose()`. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.connections.fill(false);
    for (const l of this.listeners) {
      if (l instanceof ModelWait) l.result = false;
      else if (l instanceof ModelGate && !l.open) this.fail(l, "GateStateEndedError");
    }
    // Open gates keep passing values; they no longer listen to a state.
    this.listeners = [];
  }

  // ---- internals ----

  private nextDue(): number | undefined {
    if (this.disposed) return undefined;
    let next: number | undefined;
    const consider = (t: number): void => {
      if (next === undefined || t < next) next = t;
    };
    for (const r of this.records.values()) {
      if (r.phase === "pending") for (const o of [r, ...r.later]) consider(o.deadline);
      else if (r.phase === "anticipated") consider(r.deadline);
    }
    for (const l of this.listeners) if (l instanceof ModelWait) consider(l.end);
    return next;
  }

  /** The record of a task, forgetting an ended one whose memory has run out. */
  private lookup(orionId: string, taskId: string): ModelRecord | undefined {
    const r = this.records.get(key(orionId, taskId));
    if (r !== undefined && "forgetAt" in r && r.forgetAt <= this.now) {
      this.records.delete(key(orionId, taskId));
      return undefined;
    }
    return r;
  }

  private set(orionId: string, taskId: string, r: ModelRecord): void {
    this.records.set(key(orionId, taskId), { ...r, orionId, taskId });
  }

  private end(orionId: string, taskId: string, phase: "completed" | "timed-out" | "cleared"): void {
    this.set(orionId, taskId, { phase, forgetAt: this.now + this.timeout });
  }

  /** A new state: tell every listener, in subscription order, unless it already saw newer. */
  private announce(byClear: boolean): void {
    this.version++;
    this.lastWasClear = byClear;
    // This state, as it was: a wait judges every state it hears, even one a reaction has
    // since made old.
    const emptyHere = this.pendingCount() === 0;
    for (const l of [...this.listeners]) {
      if (!this.listeners.includes(l)) continue;
      if (l instanceof ModelWait) {
        if (emptyHere) this.settle(l, !byClear);
        continue;
      }
      if (l.seen >= this.version) continue;
      // It hears of the newest state (a reaction may have made one since this loop began).
      l.seen = this.version;
      const empty = this.pendingCount() === 0;
      if (l instanceof ModelReactor) {
        if (this.react(l)) this.listeners = this.listeners.filter((x) => x !== l);
      } else {
        l.open = empty;
        while (l.active && l.open && l.held.length > 0) {
          this.emit(l, l.held.shift() as ModelReady);
        }
      }
    }
  }

  /** A reactor hears the newest state; returns whether it reacted (and is done). */
  private react(r: ModelReactor): boolean {
    if (this.pendingCount() > 0 || !this.lastWasClear || !this.reactionsEnabled()) return false;
    // Done before it publishes: it hears nothing of the state its reaction makes.
    this.listeners = this.listeners.filter((x) => x !== r);
    this.event({ type: "TASK_COMPLETED", orionId: "o0", taskId: r.taskId });
    return true;
  }

  private settle(w: ModelWait, result: boolean): void {
    w.result = result;
    this.listeners = this.listeners.filter((l) => l !== w);
  }

  private emit(g: ModelGate, r: ModelReady): void {
    g.out.push(r.value);
    if (g.options.reacts && r.reaction !== undefined && this.reactionsEnabled()) {
      const taskId = reactionTask(r.value, this.gates.indexOf(g));
      this.event({ type: "TASK_COMPLETED", orionId: r.reaction, taskId });
    }
  }

  private fail(g: ModelGate, error: string): void {
    g.error = error;
    g.active = false;
    g.held = [];
    this.listeners = this.listeners.filter((l) => l !== g);
  }
}
