/**
 * A readable short vendor name from an organisation name in the IANA enterprise registry
 * ("Beijing Topsec Network Security Technology Co., Ltd." -> "Topsec"), and the vendor tag made from it.
 * String operations only: no backtracking on long or odd names.
 */

/** Legal forms and their pieces, removed wherever they end a name. */
const LEGAL = new Set([
  'co', 'co.', 'co.,', 'company', 'corp', 'corp.', 'corporation', 'inc', 'inc.', 'incorporated', 'ltd', 'ltd.', 'limited', 'llc', 'l.l.c.',
  'plc', 'gmbh', 'ag', 'kg', 'sa', 's.a.', 'sas', 's.a.s.', 'srl', 's.r.l.', 's.r.o.', 'spa', 's.p.a.', 'bv', 'b.v.', 'nv', 'n.v.', 'oy', 'ab', 'as', 'a/s',
  'asa', 'pty', 'pty.', 'pte', 'pte.', 'kk', 'k.k.', 'lp', 'l.p.', 'llp', 'sl', 's.l.', 'se', 'zrt', 'kft', 'sdn', 'bhd', '&', 'and', 'the',
]);

/** Words that say what kind of business it is rather than who: dropped from the end while a name remains. */
const GENERIC = new Set([
  'technologies', 'technology', 'tech', 'networks', 'network', 'networking', 'systems', 'system', 'communications', 'communication',
  'electronics', 'electronic', 'information', 'info', 'industry', 'industries', 'industrial', 'group', 'holding', 'holdings', 'international',
  'solutions', 'science', 'security', 'software', 'products', 'development', 'telecom', 'telecommunications', 'computer', 'computers',
  'engineering', 'enterprises', 'labs', 'laboratories', 'digital', 'data', 'commercial', 'trading', 'manufacturing',
]);

/** Place names Chinese (and other) companies put first: dropped from the front while a name remains. */
const PLACES = new Set([
  'beijing', 'shanghai', 'shenzhen', 'hangzhou', 'guangzhou', 'xiamen', 'fujian', 'guangdong', 'jiangsu', 'zhejiang', 'nanjing', 'jinan',
  'wuhan', 'chengdu', 'tianjin', 'suzhou', 'chongqing', 'qingdao', 'shandong', 'dalian', 'hefei', 'changsha', 'xian', "xi'an", 'zhuhai',
  'dongguan', 'wuxi', 'ningbo', 'fuzhou', 'sichuan', 'hubei', 'hunan', 'henan', 'hebei', 'anhui', 'liaoning', 'taiwan', 'hong', 'kong',
]);

/** Longest readable name and tag kept. */
const MAX_NAME = 40;
/** Longest organisation name kept in the shipped registry. */
export const MAX_ORGANISATION = 80;

/** Removes parenthesised parts and URLs, and the registry's "# formerly ..." remarks. */
function withoutAsides(org: string): string {
  let out = '';
  let depth = 0;
  for (const c of org.slice(0, 200)) {
    if (c === '#' && depth === 0) break;
    if (c === '(' || c === '[') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out.split(/\s+/).filter((w) => !w.toLowerCase().startsWith('http') && !w.toLowerCase().startsWith('www.')).join(' ');
}

function key(word: string): string {
  return word.toLowerCase();
}

/** Capitalises a shouted word ("HANGZHOU" -> "Hangzhou"); short acronyms (IBM, ZTE) stay. */
function unshout(word: string): string {
  return word.length > 4 && word === word.toUpperCase() && word !== word.toLowerCase() ? word[0] + word.slice(1).toLowerCase() : word;
}

function isLegal(word: string): boolean {
  const w = key(word);
  if (LEGAL.has(w) || LEGAL.has(w.replace(/[.,]+$/, ''))) return true;
  // "Co.Ltd", "Co.,LTD."
  const parts = w.split(/[.,]/).filter((x) => x !== '');
  return parts.length > 1 && parts.every((x) => LEGAL.has(x));
}

function words(text: string): string[] {
  return text.replace(/,/g, ' , ').split(' ').filter((w) => w !== '' && w !== ',');
}

function dropLegalTail(ws: string[]): void {
  while (ws.length > 1 && isLegal(ws[ws.length - 1]!)) ws.pop();
}

/** The organisation name without remarks, URLs and legal form ("Dell Inc." -> "Dell"): what the shipped registry keeps. */
export function organisationCore(org: string): string {
  const ws = words(withoutAsides(org));
  dropLegalTail(ws);
  const name = ws.join(' ').replace(/[.,\s]+$/, '').trim();
  return (name || org.trim()).slice(0, MAX_ORGANISATION);
}

/** A readable short name: no legal form, no trailing "Technologies"/"Networks", no leading city. */
export function shortOrganisationName(org: string): string {
  const ws = words(withoutAsides(org));
  dropLegalTail(ws);
  while (ws.length > 1 && GENERIC.has(key(ws[ws.length - 1]!).replace(/[.,]+$/, ''))) {
    ws.pop();
    dropLegalTail(ws);
  }
  while (ws.length > 1 && PLACES.has(key(ws[0]!))) ws.shift();
  const name = ws.map(unshout).join(' ').replace(/[.,\s]+$/, '').trim();
  return (name || org.trim()).slice(0, MAX_NAME);
}

/** The vendor tag for a readable name: lower case, words joined by "-" ("Allied Telesis" -> "allied-telesis"). */
export function vendorTag(name: string): string {
  const tag = name.slice(0, 200).toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9\u4e00-\u9fff]+/g, '-');
  const trimmed = tag.replace(/^-+/, '').replace(/-+$/, '').slice(0, MAX_NAME).replace(/-+$/, '');
  return trimmed || 'unknown';
}
