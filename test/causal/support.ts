/** Small helpers shared by the issue-13 tests (causal synchronization). */
import type { OrionEvent } from "../../src/events.js";

/** `event` carrying `eventId` (the factories of `orion-sync/testing` set none). */
export function withId<E extends OrionEvent>(event: E, eventId: string): E {
  return { ...event, eventId };
}

/**
 * An `ORION_MODIFIED` of `orionId` that answers exactly the task events `onEventIds`
 * (`onTaskIds` names their tasks, as the event's contract asks).
 */
export function answerEvents(
  orionId: string,
  onTaskIds: readonly string[],
  onEventIds: readonly string[],
  eventId: string,
): OrionEvent {
  return {
    type: "ORION_MODIFIED",
    orionId,
    onTaskIds: [...onTaskIds],
    onEventIds: [...onEventIds],
    eventId,
  };
}

/** The `eventId` of a bus value, read without the library (it may predate event ids). */
export function idOf(event: OrionEvent): string | undefined {
  return (event as { readonly eventId?: string }).eventId;
}

/** A ready-task value as an orchestrator emits it: its orion, a task, and what it followed. */
export interface Ready {
  readonly orionId: string;
  readonly task: string;
  readonly after?: string | readonly string[];
}
