export { renderTimeline, type TimelineFormat, type TimelineOptions } from "./renderTimeline.js";
export { GROUP_FROM, groupLanes, taskLevels, type LaneGroup } from "./laneGroups.js";
export { laneLabel } from "./labels.js";
export { formatTick, niceTickStep } from "./scales.js";
export { escapeXml } from "./svg.js";
