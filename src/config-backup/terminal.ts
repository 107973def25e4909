/**
 * What a device's CLI sends, turned into plain lines: line endings made \n, terminal control sequences and the
 * pager's own erase dance (backspaces, cursor-left, carriage returns over spaces) removed, and pager prompts left
 * at the start of a line (`  ---- More ----`, ` --More-- `) cut out, so the paged text joins up as it was.
 */
export function cleanTerminalText(raw: string, pagers: readonly string[] = []): string {
  let text = raw
    .replace(/\x1b\[\d*D *\x1b\[\d*D/g, '') // Huawei, H3C: cursor left, spaces, cursor left
    .replace(/\x08+ *\x08+/g, '') // Cisco, Ruijie: backspaces, spaces, backspaces
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/\x1b[=>]/g, '')
    .replace(/[\x08\x07\x00]/g, '')
    .replace(/\r+\n/g, '\n')
    .replace(/\r *\r/g, '') // carriage return, spaces, carriage return: Junos and FortiOS erase the pager so
    .replace(/\r/g, '');
  if (pagers.length > 0) text = text.split('\n').map((line) => stripPager(line, pagers)).join('\n');
  return text;
}

/** The line without a pager prompt at its start (with the spaces before it), which the next page continues. */
function stripPager(line: string, pagers: readonly string[]): string {
  const trimmed = line.trimStart();
  for (const p of pagers) {
    const bare = p.trimStart();
    if (!trimmed.startsWith(bare)) continue;
    let rest = trimmed.slice(bare.length);
    // Junos shows "---(more 42%)---": the pager text given is its fixed start, the rest runs to the closing "---".
    if (!bare.trimEnd().endsWith('-')) { const end = rest.indexOf('---'); if (end >= 0 && end < 16) rest = rest.slice(end + 3); }
    return rest;
  }
  return line;
}

/** The unfinished last line (where a prompt or pager waits), cleaned, from the end of what was received. */
export function lastLine(raw: string): string {
  const tail = raw.length > 1024 ? raw.slice(-1024) : raw;
  const clean = cleanTerminalText(tail);
  return clean.slice(clean.lastIndexOf('\n') + 1).slice(-256);
}
