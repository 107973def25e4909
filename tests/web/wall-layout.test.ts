import { describe, expect, it } from 'vitest';
import { CELL_MAX, layoutMap, pageSites, type MapDevice, type MapLayout, type WallState } from '../../src/web/client/wall/layout.js';

/** `n` devices over `sites` sites; device i is a problem when i < problems (spread by the modulo over the sites). */
function fleet(n: number, sites: number, problems: number, other: WallState = 'up'): MapDevice[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `dev-${String(i).padStart(5, '0')}`, site: `site-${String(i % sites).padStart(3, '0')}`,
    state: i < problems ? (i % 2 ? 'down' : 'unreachable') : i % 13 === 0 ? 'maintenance' : other,
  }));
}

const overlap = (a: { x: number; y: number; w: number; h: number }, b: typeof a) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** The properties every layout must have, whatever the fleet. */
function checkLayout(l: MapLayout, devices: MapDevice[], width: number, height: number): void {
  const placed = l.sites.flatMap((s) => s.tiles.map((t) => t.name));
  expect(placed.sort()).toEqual(devices.map((d) => d.name).sort());
  expect(l.usedHeight * l.scale).toBeLessThanOrEqual(height + 1e-9);
  for (const s of l.sites) {
    expect(s.x).toBeGreaterThanOrEqual(0);
    expect(s.y).toBeGreaterThanOrEqual(0);
    expect(s.x + s.w).toBeLessThanOrEqual(width);
    expect(s.y + s.h).toBeLessThanOrEqual(l.usedHeight);
    for (const t of s.tiles) {
      expect(t.x >= 0 && t.y >= l.headerPx && t.x + t.w <= s.w && t.y + t.h <= s.h, `${t.name} inside ${s.site}`).toBe(true);
      expect(t.w).toBeGreaterThan(0);
    }
    // Problems first, each at least twice a square's side each way.
    const firstCalm = s.tiles.findIndex((t) => !t.problem);
    if (firstCalm >= 0) expect(s.tiles.slice(firstCalm).filter((t) => t.problem)).toEqual([]);
    for (const t of s.tiles.filter((x) => x.problem)) expect(t.w >= 2 * l.cell - l.gap && t.h >= 2 * l.cell - l.gap).toBe(true);
    // No two squares of a block on top of each other (grid rows make a sort-and-sweep enough).
    const byRow = [...s.tiles].sort((a, b) => a.y - b.y || a.x - b.x);
    for (let i = 1; i < byRow.length; i++) {
      for (let j = i - 1; j >= 0 && byRow[j]!.y + byRow[j]!.h > byRow[i]!.y; j--) expect(overlap(byRow[i]!, byRow[j]!)).toBe(false);
    }
  }
  for (let i = 0; i < l.sites.length; i++) for (let j = 0; j < i; j++) expect(overlap(l.sites[i]!, l.sites[j]!)).toBe(false);
  // Sites with problems come first.
  const calm = l.sites.findIndex((s) => s.counts.down + s.counts.unreachable === 0);
  if (calm >= 0) expect(l.sites.slice(calm).filter((s) => s.counts.down + s.counts.unreachable > 0)).toEqual([]);
}

describe('availability map layout', () => {
  const W = 1250;
  const H = 900;

  it.each([
    [1, 1, 0], [5, 2, 1], [20, 4, 2], [480, 8, 0], [500, 8, 12], [2000, 8, 40], [2000, 40, 250], [2000, 8, 2000], [2500, 25, 30],
  ])('fits %i devices in %i sites with %i problems without scaling', (n, sites, problems) => {
    const devices = fleet(n, sites, problems);
    const l = layoutMap(devices, W, H);
    checkLayout(l, devices, W, H);
    expect(l.scale).toBe(1);
  });

  it('shows what the first report saw (480 devices, 8 sites) as every device at once, not 45 tiles of one site', () => {
    const l = layoutMap(fleet(480, 8, 0), W, H);
    expect(l.sites).toHaveLength(8);
    expect(l.sites.reduce((a, s) => a + s.tiles.length, 0)).toBe(480);
    expect(l.cell).toBeGreaterThanOrEqual(30);
  });

  it('gives problem tiles room for a name while there is space, and merely doubles them when there is not', () => {
    const roomy = layoutMap(fleet(2000, 8, 40), W, H);
    expect((roomy.problemCells[0] * roomy.cell)).toBeGreaterThanOrEqual(120);
    const crowded = layoutMap(fleet(2000, 8, 2000), W, H);
    expect(crowded.problemCells).toEqual([2, 2]);
  });

  it('caps the square size for a small fleet', () => {
    expect(layoutMap(fleet(3, 1, 0), W, H).cell).toBe(CELL_MAX);
  });

  it('scales the whole map down rather than cut anything off when even the smallest squares overflow', () => {
    const devices = fleet(4000, 300, 200);
    const l = layoutMap(devices, W, H);
    checkLayout(l, devices, W, H);
    expect(l.scale).toBeLessThan(1);
  });

  it('survives an empty fleet and a tiny area', () => {
    expect(layoutMap([], W, H).sites).toEqual([]);
    const devices = fleet(50, 3, 5);
    checkLayout(layoutMap(devices, 200, 120), devices, 200, 120);
  });

  it('splits sites into pages whose squares stay large, every site on exactly one page', () => {
    const devices = fleet(2000, 40, 10);
    const pages = pageSites(devices, W, H, 48);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.flat().sort()).toEqual([...new Set(devices.map((d) => d.site))].sort());
    for (const p of pages) {
      const l = layoutMap(devices.filter((d) => p.includes(d.site)), W, H);
      if (p.length > 1) expect(l.cell).toBeGreaterThanOrEqual(48);
      expect(l.scale).toBe(1);
    }
  });
});
