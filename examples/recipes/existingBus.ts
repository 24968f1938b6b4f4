/**
 * Recipe: an existing bus. Orion events arrive on a Node `EventEmitter` or a DOM-like
 * `EventTarget`, from code we do not trust; `fromEvent` makes them a stream and
 * `parseOrionEvent` keeps only valid events.
 */
import type { EventEmitter } from "node:events";
import { filter, fromEvent, map, type Observable, type OperatorFunction } from "rxjs";
import { InvalidEventError, parseOrionEvent, type OrionEvent } from "../../src/index.js";

/** Parses each value; reports and drops the invalid ones. */
function validEvents(
  onInvalid: (error: InvalidEventError) => void,
): OperatorFunction<unknown, OrionEvent> {
  return (values$) =>
    values$.pipe(
      map(parseOrionEvent),
      filter((parsed): parsed is OrionEvent => {
        if (parsed instanceof InvalidEventError) onInvalid(parsed);
        return !(parsed instanceof InvalidEventError);
      }),
    );
}

/** `emitter.emit("orion-event", event)` → an `Observable<OrionEvent>`. */
export function fromEmitter(
  emitter: EventEmitter,
  onInvalid: (error: InvalidEventError) => void,
): Observable<OrionEvent> {
  return fromEvent(emitter, "orion-event").pipe(validEvents(onInvalid));
}

/** `target.dispatchEvent(new CustomEvent("orion-event", { detail: json }))`, JSON text. */
export function fromTarget(
  target: EventTarget,
  onInvalid: (error: InvalidEventError) => void,
): Observable<OrionEvent> {
  return fromEvent<CustomEvent<string>>(target, "orion-event").pipe(
    map(({ detail }) => {
      try {
        return JSON.parse(detail) as unknown;
      } catch {
        return detail; // not JSON: parseOrionEvent reports it as not an object
      }
    }),
    validEvents(onInvalid),
  );
}
