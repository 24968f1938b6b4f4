export {
  renderTimeline,
  escapeXml,
  niceTickStep,
  formatTick,
  taskLevels,
  groupLanes,
  laneLabel,
  GROUP_FROM,
} from "./renderTimeline.js";
export type { TimelineFormat, TimelineOptions, LaneGroup } from "./renderTimeline.js";
