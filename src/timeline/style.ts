/**
 * The timeline's fixed sizes (px), colours and font: shared by the SVG primitives, the time
 * scale and the layout of `renderTimeline`, so each reads the same numbers.
 * @module
 */

// ---- Layout (px) -----------------------------------------------------------------------------

/** The document's width: the label column, then the chart. */
export const WIDTH = 980;
/** White space left of the lane labels. */
export const MARGIN_LEFT = 16;
/** White space right of the chart (room for the last tick's label). */
export const MARGIN_RIGHT = 28;
/** The column of lane labels, left of the chart. */
export const LABEL_WIDTH = 196;
/** Where the chart (time 0) starts. */
export const CHART_X = MARGIN_LEFT + LABEL_WIDTH;
/** The chart's width: the time scale maps the whole domain onto it. */
export const CHART_WIDTH = WIDTH - CHART_X - MARGIN_RIGHT;
/** The legend's row, at the top. */
export const LEGEND_HEIGHT = 40;
/** Space between two sections. */
export const SECTION_GAP = 20;
/** A section's title and summary lines, above its top axis. */
export const TITLE_HEIGHT = 48;
/** A task's lane (also the agent lane's least height). */
export const LANE_HEIGHT = 24;
/** A task bar's height, inside its lane. */
export const BAR_HEIGHT = 14;
/** A row of the agent's lane: overlapping modifications take one each. */
export const MOD_ROW_HEIGHT = 14;
/** A modification's bar height, inside its row. */
export const MOD_HEIGHT = 10;
/** The bottom axis with its labels, below the agent's lane. */
export const AXIS_HEIGHT = 34;
/** The axis above the lanes (labels above its line). */
export const TOP_AXIS_HEIGHT = 22;
/** A group's lane (large reports), taller than a task's: it draws a load curve. */
export const GROUP_LANE_HEIGHT = 30;
/** The text size of labels (px). */
export const FONT_SIZE = 12;

// ---- Colours (all text on white has contrast >= 4.5:1) ----------------------------------------

/** The timeline's colours, by role. */
export const COLOR = {
  text: "#1f2933",
  muted: "#5f6b7a",
  grid: "#e3e7ec",
  axis: "#52606d",
  stripe: "#f5f7fa",
  bar: "#2f6fb3",
  barRunning: "#8fb3dc",
  barFailed: "#4a5563",
  barCancelled: "#9aa5b1",
  stale: "#c8241b",
  modification: "#7a3fa0",
  held: "#f2b705",
} as const;

/** System fonts first, then ones that carry CJK, so names in any script have glyphs. */
export const FONT_FAMILY =
  "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, " +
  "'Noto Sans', 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";
