/**
 * The availability map's geometry: where each site block and each device square goes so that the whole
 * fleet fits the wall's map area, whatever its size. Pure (no DOM), so it is tested in Node at many fleet
 * sizes and the page only draws what it returns.
 *
 * The rule: site blocks (a header with counts by state, then squares) are stacked into equal columns
 * (each block into the shortest column); the square pitch is the largest that fits, from CELL_MAX down.
 * Problem devices (down, unreachable) come first in their block and in larger tiles, and sites with
 * problems come first. When even the smallest pitch cannot hold the fleet, the map is scaled down as a
 * whole (`scale` < 1): a wall never scrolls and never cuts a device off.
 */

/** Device states as the wall shows them (the API's device conditions). */
export const WALL_STATES = ['down', 'unreachable', 'unknown', 'maintenance', 'up'] as const;
/** One of {@link WALL_STATES}. */
export type WallState = (typeof WALL_STATES)[number];

/** The states that count as a problem on the map: enlarged, and first. */
export function isProblem(state: WallState): boolean {
  return state === 'down' || state === 'unreachable';
}

/** What the layout needs of a device. */
export interface MapDevice {
  name: string;
  site: string;
  state: WallState;
}

/** How many devices of a site are in each state, and in all. */
export type SiteCounts = Record<WallState, number> & { total: number };

/** A device's place, relative to its block's top-left corner, in CSS pixels. */
export interface PlacedTile {
  name: string;
  state: WallState;
  problem: boolean;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A site's block, relative to the map's top-left corner. */
export interface PlacedSite {
  site: string;
  counts: SiteCounts;
  x: number;
  y: number;
  w: number;
  h: number;
  tiles: PlacedTile[];
}

/** The whole map. */
export interface MapLayout {
  /** Square pitch (square plus gap), px. */
  cell: number;
  gap: number;
  /** Height of a block's header line, px. */
  headerPx: number;
  columns: number;
  /** A problem tile's size in cells (width, height). */
  problemCells: readonly [number, number];
  /** Height the blocks use, px (before scaling). */
  usedHeight: number;
  /** 1, or the factor the map is drawn at when even the smallest pitch overflows. */
  scale: number;
  sites: PlacedSite[];
}

/** Largest square pitch: a twenty-device fleet gets tiles big enough for name and state, not screen-filling ones. */
export const CELL_MAX = 112;
/** Smallest pitch tried before scaling the whole map down. */
const CELL_MIN = 3;
/** Narrowest column a block gets (a header needs room for a name and two counts). */
const MIN_COLUMN_PX = 150;
/** Space between blocks, and inside a block around its squares. */
const BLOCK_GAP = 8;
const BLOCK_PAD = 4;
/** A problem tile aims at this size (so its name can be read) and is at least 2×2 cells. */
const PROBLEM_TARGET_W = 120;
const PROBLEM_TARGET_H = 30;
/** Header heights: normal, then compact when the normal one leaves no room. */
const HEADER_PX = [26, 16] as const;

interface SiteShape {
  site: string;
  devices: MapDevice[];
  problems: number;
}

interface Trial {
  cell: number;
  gap: number;
  pw: number;
  ph: number;
  headerPx: number;
  columns: number;
}

const collator = new Intl.Collator('en', { numeric: true });

/** Counts of `devices` by state. */
export function countStates(devices: readonly { state: WallState }[]): SiteCounts {
  const c: SiteCounts = { total: devices.length, down: 0, unreachable: 0, unknown: 0, maintenance: 0, up: 0 };
  for (const d of devices) c[d.state] += 1;
  return c;
}

/** Sites in map order (sites with problems first, then by name), each with its devices problems first, then by name. */
function shapes(devices: readonly MapDevice[]): SiteShape[] {
  const bySite = new Map<string, MapDevice[]>();
  for (const d of devices) {
    const list = bySite.get(d.site);
    if (list) list.push(d); else bySite.set(d.site, [d]);
  }
  const out: SiteShape[] = [];
  for (const [site, list] of bySite) {
    list.sort((a, b) => Number(isProblem(b.state)) - Number(isProblem(a.state)) || collator.compare(a.name, b.name));
    out.push({ site, devices: list, problems: list.filter((d) => isProblem(d.state)).length });
  }
  return out.sort((a, b) => Number(b.problems > 0) - Number(a.problems > 0) || collator.compare(a.site, b.site));
}

function gapFor(cell: number): number {
  return cell >= 40 ? 4 : cell >= 12 ? 2 : cell >= 5 ? 1 : 0;
}

/** Squares per row in a column of width `colW`. */
function perRowOf(colW: number, t: Trial): number {
  return Math.floor((colW - 2 * BLOCK_PAD + t.gap) / t.cell);
}

/** A block's height, or undefined when a problem tile is wider than the block. */
function blockHeight(s: SiteShape, perRow: number, t: Trial): number | undefined {
  const perProblemRow = Math.floor(perRow / t.pw);
  if (perProblemRow < 1) return undefined;
  const rows = Math.ceil(s.problems / perProblemRow) * t.ph + Math.ceil((s.devices.length - s.problems) / perRow);
  return t.headerPx + 2 * BLOCK_PAD + Math.max(0, rows * t.cell - t.gap);
}

/** Stacks the blocks into the trial's columns; the blocks' places and the tallest column, or undefined. */
function stack(sites: readonly SiteShape[], width: number, t: Trial) {
  const colW = Math.floor((width - (t.columns - 1) * BLOCK_GAP) / t.columns);
  const perRow = perRowOf(colW, t);
  if (perRow < 1) return undefined;
  const heights = new Array<number>(t.columns).fill(0);
  const places: { x: number; y: number; h: number }[] = [];
  for (const s of sites) {
    const h = blockHeight(s, perRow, t);
    if (h === undefined) return undefined;
    let col = 0;
    for (let i = 1; i < heights.length; i++) if (heights[i]! < heights[col]!) col = i;
    const y = heights[col]! === 0 ? 0 : heights[col]! + BLOCK_GAP;
    places.push({ x: col * (colW + BLOCK_GAP), y, h });
    heights[col] = y + h;
  }
  return { colW, perRow, places, used: Math.max(0, ...heights) };
}

/** Places the squares of one block, problems first in their larger tiles. */
function tilesOf(s: SiteShape, perRow: number, t: Trial): PlacedTile[] {
  const size = t.cell - t.gap;
  const perProblemRow = Math.floor(perRow / t.pw);
  const top = t.headerPx + BLOCK_PAD;
  const tiles: PlacedTile[] = [];
  const problemRows = Math.ceil(s.problems / perProblemRow);
  s.devices.forEach((d, i) => {
    if (i < s.problems) {
      tiles.push({
        name: d.name, state: d.state, problem: true,
        x: BLOCK_PAD + (i % perProblemRow) * t.pw * t.cell, y: top + Math.floor(i / perProblemRow) * t.ph * t.cell,
        w: t.pw * t.cell - t.gap, h: t.ph * t.cell - t.gap,
      });
    } else {
      const j = i - s.problems;
      tiles.push({
        name: d.name, state: d.state, problem: false,
        x: BLOCK_PAD + (j % perRow) * t.cell, y: top + (problemRows * t.ph + Math.floor(j / perRow)) * t.cell,
        w: size, h: size,
      });
    }
  });
  return tiles;
}

function build(sites: readonly SiteShape[], width: number, t: Trial, height: number): MapLayout {
  const st = stack(sites, width, t)!;
  return {
    cell: t.cell, gap: t.gap, headerPx: t.headerPx, columns: t.columns, problemCells: [t.pw, t.ph],
    usedHeight: st.used, scale: st.used > height ? height / st.used : 1,
    sites: sites.map((s, i) => ({
      site: s.site, counts: countStates(s.devices),
      x: st.places[i]!.x, y: st.places[i]!.y, w: st.colW, h: st.places[i]!.h,
      tiles: tilesOf(s, st.perRow, t),
    })),
  };
}

/** The largest pitch (then the fewest columns) at which the sites fit, with problem tiles shaped by `problemShape`. */
function search(sites: readonly SiteShape[], width: number, height: number, headerPx: number,
  problemShape: (cell: number) => [number, number]): Trial | undefined {
  const maxColumns = Math.max(1, Math.min(sites.length, Math.floor((width + BLOCK_GAP) / (MIN_COLUMN_PX + BLOCK_GAP))));
  for (let cell = CELL_MAX; cell >= CELL_MIN; cell--) {
    const [pw, ph] = problemShape(cell);
    for (let columns = 1; columns <= maxColumns; columns++) {
      const t: Trial = { cell, gap: gapFor(cell), pw, ph, headerPx, columns };
      const st = stack(sites, width, t);
      if (st && st.used <= height) return t;
    }
  }
  return undefined;
}

/**
 * Lays out `devices` in a `width` × `height` area (CSS px). Always returns a layout; its blocks fit the area
 * at `scale` (1 unless the fleet is too large for the smallest pitch).
 */
export function layoutMap(devices: readonly MapDevice[], width: number, height: number): MapLayout {
  const sites = shapes(devices);
  const w = Math.max(1, Math.floor(width));
  const h = Math.max(1, Math.floor(height));
  const readable = (cell: number): [number, number] =>
    [Math.max(2, Math.ceil(PROBLEM_TARGET_W / cell)), Math.max(2, Math.ceil(PROBLEM_TARGET_H / cell))];
  const compact = (): [number, number] => [2, 2];
  // Readable problem tiles first; then merely doubled ones; then a slimmer header.
  for (const [headerPx, shape] of [[HEADER_PX[0], readable], [HEADER_PX[0], compact], [HEADER_PX[1], compact]] as const) {
    const t = search(sites, w, h, headerPx, shape);
    if (t) return build(sites, w, t, h);
  }
  // Too large for any pitch: the smallest one, in as many columns as allowed, scaled down to the area.
  const maxColumns = Math.max(1, Math.min(sites.length, Math.floor((w + BLOCK_GAP) / (MIN_COLUMN_PX + BLOCK_GAP))));
  let best: Trial | undefined;
  let bestUsed = Infinity;
  for (let columns = 1; columns <= maxColumns; columns++) {
    const t: Trial = { cell: CELL_MIN, gap: gapFor(CELL_MIN), pw: 2, ph: 2, headerPx: HEADER_PX[1], columns };
    const st = stack(sites, w, t);
    if (st && st.used < bestUsed) { best = t; bestUsed = st.used; }
  }
  return build(sites, w, best ?? { cell: CELL_MIN, gap: 0, pw: 1, ph: 1, headerPx: HEADER_PX[1], columns: 1 }, h);
}

/**
 * Splits the sites into pages for a wall that pages through them: consecutive sites in map order, as many
 * per page as keep the squares at least `minCell` px. A site too big for that gets a page of its own.
 */
export function pageSites(devices: readonly MapDevice[], width: number, height: number, minCell: number): string[][] {
  const sites = shapes(devices);
  const pages: string[][] = [];
  let current: SiteShape[] = [];
  const fits = (list: SiteShape[]) => layoutMap(list.flatMap((s) => s.devices), width, height);
  for (const s of sites) {
    const next = [...current, s];
    const l = fits(next);
    if (current.length === 0 || (l.scale === 1 && l.cell >= minCell)) current = next;
    else { pages.push(current.map((x) => x.site)); current = [s]; }
  }
  if (current.length > 0) pages.push(current.map((x) => x.site));
  return pages;
}
