export { renderTimeline, escapeXml, niceTickStep, formatTick } from "./renderTimeline.js";
export type { TimelineFormat } from "./renderTimeline.js";
