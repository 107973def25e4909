import type { WriteOutcome } from './transport.js';

/** A line InfluxDB refused, with its reason. */
export interface RejectedLine { line: string; reason: string }

/** How isolating the refused points of a batch ended. */
export type IsolationResult =
  | { kind: 'done'; rejected: RejectedLine[] }
  | { kind: 'retry'; message: string };

/**
 * InfluxDB 1.x names unparsable lines in its answer ("unable to parse '<line>': <reason>", one per line)
 * and, for a partial write, has already stored the rest. Returns the named lines when every named line is one of ours.
 */
function namedUnparsable(lines: readonly string[], message: string): RejectedLine[] | undefined {
  const mentions = message.split("unable to parse '").length - 1;
  if (mentions === 0) return undefined;
  const found: RejectedLine[] = [];
  for (const line of lines) {
    const at = message.indexOf(`unable to parse '${line}': `);
    if (at < 0) continue;
    const rest = message.slice(at + `unable to parse '${line}': `.length);
    found.push({ line, reason: rest.split(/\n|unable to parse '| dropped=\d+/)[0]!.trim() });
  }
  return found.length === mentions ? found : undefined;
}

/**
 * Finds the points of a refused batch that InfluxDB will never take, so they can be dead-lettered while
 * the rest is stored: first from the lines InfluxDB names, otherwise by writing halves of the batch until
 * single refused lines remain. Writing a half again is safe: a point written twice overwrites itself.
 * `send` writes a body; a `retry` answer on the way stops the search and the whole batch is kept.
 */
export async function isolateRejected(
  lines: readonly string[],
  first: { message: string },
  send: (body: string) => Promise<WriteOutcome>,
): Promise<IsolationResult> {
  const named = namedUnparsable(lines, first.message);
  if (named) {
    // Without "partial write", InfluxDB stored nothing: the lines it did not name still have to be sent.
    if (first.message.startsWith('partial write') || named.length === lines.length) return { kind: 'done', rejected: named };
    const bad = new Set(named.map((r) => r.line));
    const rest = lines.filter((l) => !bad.has(l));
    const more = await bisect(rest, send);
    return more.kind === 'done' ? { kind: 'done', rejected: [...named, ...more.rejected] } : more;
  }
  if (lines.length === 1) return { kind: 'done', rejected: [{ line: lines[0]!, reason: first.message }] };
  return bisect(lines, send);
}

async function bisect(lines: readonly string[], send: (body: string) => Promise<WriteOutcome>): Promise<IsolationResult> {
  const rejected: RejectedLine[] = [];
  // An explicit stack instead of recursion; each chunk is written once, so at most 2n requests in all.
  const stack: (readonly string[])[] = [lines];
  while (stack.length > 0) {
    const chunk = stack.pop()!;
    if (chunk.length === 0) continue;
    const outcome = await send(chunk.join('\n'));
    if (outcome.kind === 'ok') continue;
    if (outcome.kind === 'retry') return { kind: 'retry', message: outcome.message };
    if (chunk.length === 1) { rejected.push({ line: chunk[0]!, reason: outcome.message }); continue; }
    const named = namedUnparsable(chunk, outcome.message);
    if (named && outcome.message.startsWith('partial write')) { rejected.push(...named); continue; }
    const mid = Math.ceil(chunk.length / 2);
    // Second half pushed first so the first half is written first: replay keeps its order.
    stack.push(chunk.slice(mid), chunk.slice(0, mid));
  }
  return { kind: 'done', rejected };
}
