/**
 * How a walk's columns are packed into GETBULK requests. A GETBULK has one max-repetitions for all its columns,
 * and the agent answers every column with that many varbinds whether the column has them or not (it runs on into
 * the next column). Packed blindly, a poll asks for about twice the varbinds it uses: each one is encoded by the
 * agent, sent and decoded by us. So each session remembers how many rows every column had at its last walk, and
 * columns that should end together are asked together, with just enough repetitions to see their end in one round.
 */

/** Columns walked together when nothing is known about them yet (the first walk of a device). */
export const COLUMNS_PER_REQUEST = 10;

/** One GETBULK group: its columns and the repetitions its first round asks for (undefined: as many as allowed). */
export interface WalkGroup {
  columns: string[];
  reps?: number;
}

/**
 * Repetitions for `columns` columns of `rows` rows each: the split into groups of c columns x r repetitions
 * (r <= cap, c x r <= budget) that takes the fewest requests, with the rounds evened out so the last one is not
 * mostly past the end.
 */
export function repsFor(rows: number, columns: number, cap: number, budget: number): number {
  const need = rows + 1;
  let best = { requests: Infinity, reps: 1 };
  for (let c = 1; c <= Math.min(columns, budget); c++) {
    const r = Math.max(1, Math.min(cap, Math.floor(budget / c)));
    const requests = Math.ceil(columns / c) * Math.ceil(need / r);
    if (requests < best.requests) best = { requests, reps: r };
  }
  const rounds = Math.ceil(need / best.reps);
  return Math.ceil(need / rounds);
}

/**
 * Groups the columns of one walk. Columns with a known row count are sorted by it and packed greedily while
 * columns x repetitions stays within `budget`; unknown columns go in fixed groups of {@link COLUMNS_PER_REQUEST}.
 */
export function planWalk(columns: readonly string[], rowsSeen: ReadonlyMap<string, number>, cap: number, budget: number): WalkGroup[] {
  const known: { column: string; reps: number }[] = [];
  const unknown: string[] = [];
  const sameRows = new Map<number, number>();
  for (const c of columns) {
    const rows = rowsSeen.get(c);
    if (rows !== undefined) sameRows.set(rows, (sameRows.get(rows) ?? 0) + 1);
  }
  const reps = new Map([...sameRows].map(([rows, n]) => [rows, repsFor(rows, n, cap, budget)]));
  for (const c of columns) {
    const rows = rowsSeen.get(c);
    if (rows === undefined) unknown.push(c);
    else known.push({ column: c, reps: reps.get(rows)! });
  }
  known.sort((a, b) => a.reps - b.reps);
  const groups: WalkGroup[] = [];
  let group: WalkGroup | undefined;
  for (const k of known) {
    // Sorted ascending, so the column added last sets the group's repetitions.
    if (!group || (group.columns.length + 1) * k.reps > budget) {
      group = { columns: [], reps: k.reps };
      groups.push(group);
    }
    group.columns.push(k.column);
    group.reps = k.reps;
  }
  for (let i = 0; i < unknown.length; i += COLUMNS_PER_REQUEST) groups.push({ columns: unknown.slice(i, i + COLUMNS_PER_REQUEST) });
  return groups;
}
