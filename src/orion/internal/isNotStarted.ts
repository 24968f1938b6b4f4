/**
 * Whether a status means "not started yet": `pending` or `waiting_dependency`. Such a task may
 * become ready, may be edited by the agent, and may be blocked.
 * @internal
 */
export function isNotStarted(status: string): boolean {
  return status === "pending" || status === "waiting_dependency";
}
