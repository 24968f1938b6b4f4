/**
 * A topological order of a changing DAG, kept as one rank per task (every edge goes from a lower
 * rank to a higher one), so that an added edge is checked for a cycle without walking the whole
 * graph: Pearce and Kelly's dynamic topological sort ("A dynamic topological sort algorithm for
 * directed acyclic graphs", JEA 2006). An edge that already agrees with the ranks costs O(1);
 * otherwise only the tasks ranked between its two ends are visited and re-ranked. Removing an
 * edge or a task never breaks an order, so it costs nothing.
 * @internal
 */
export class TopologicalRanks {
  private readonly ranks = new Map<string, number>();
  private top = 0;

  /** Starts from a topological order of the tasks. */
  constructor(order: Iterable<string>) {
    for (const id of order) this.ranks.set(id, this.top++);
  }

  /** Ranks a new task (no edges yet) after every other; `undo` remembers it for `restore`. */
  addTask(id: string, undo?: Map<string, number | undefined>): void {
    if (this.ranks.has(id)) return;
    if (undo !== undefined && !undo.has(id)) undo.set(id, undefined);
    this.ranks.set(id, this.top++);
  }

  deleteTask(id: string): void {
    this.ranks.delete(id);
  }

  /**
   * Re-ranks for an edge `from` → `to` of a graph whose edges (this one included) `successors`
   * and `predecessors` list. Returns `false`, ranks unchanged, when the edge closes a cycle.
   * Every rank changed is first recorded in `undo`, so a batch of edges can be taken back.
   */
  addEdge(
    from: string,
    to: string,
    successors: (id: string) => Iterable<string>,
    predecessors: (id: string) => Iterable<string>,
    undo: Map<string, number | undefined>,
  ): boolean {
    const upper = this.ranks.get(from)!;
    const lower = this.ranks.get(to)!;
    if (upper < lower) return true;
    // Forward from `to` among tasks ranked at most `upper`: reaching `from` closes a cycle.
    const forward = this.reach(to, successors, (rank) => rank <= upper);
    if (forward.includes(from)) return false;
    // Backward from `from` among tasks ranked above `lower`.
    const backward = this.reach(from, predecessors, (rank) => rank > lower);
    // The freed ranks, in order, go first to what must come before, then to what must come after.
    const byRank = (a: string, b: string): number => this.ranks.get(a)! - this.ranks.get(b)!;
    backward.sort(byRank);
    forward.sort(byRank);
    const moved = [...backward, ...forward];
    const pool = moved.map((id) => this.ranks.get(id)!).sort((a, b) => a - b);
    for (let i = 0; i < moved.length; i++) {
      const id = moved[i]!;
      if (!undo.has(id)) undo.set(id, this.ranks.get(id));
      this.ranks.set(id, pool[i]!);
    }
    return true;
  }

  /** Takes back the changes recorded in `undo`. */
  restore(undo: ReadonlyMap<string, number | undefined>): void {
    for (const [id, rank] of undo) {
      if (rank === undefined) this.ranks.delete(id);
      else this.ranks.set(id, rank);
    }
  }

  private reach(
    start: string,
    next: (id: string) => Iterable<string>,
    within: (rank: number) => boolean,
  ): string[] {
    const seen = new Set<string>([start]);
    const stack = [start];
    while (stack.length > 0) {
      for (const id of next(stack.pop()!)) {
        const rank = this.ranks.get(id);
        if (rank === undefined || seen.has(id) || !within(rank)) continue;
        seen.add(id);
        stack.push(id);
      }
    }
    return [...seen];
  }
}
