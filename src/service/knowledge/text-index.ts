/**
 * Text as the knowledge index stores and searches it. SQLite's unicode61 tokenizer keeps a run of Chinese
 * characters as one token, so "电源" would never match inside "电源模块故障"; the trigram tokenizer finds
 * nothing for queries under three characters, and two-character words are most of Chinese. So every CJK
 * character is indexed as its own token and a CJK query becomes a phrase of adjacent characters: 电源
 * matches exactly where those two characters stand next to each other. Latin words stay words (prefix match).
 */

/** Han, kana, hangul and CJK punctuation-free letters: the scripts written without spaces between words. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const CJK_G = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;

/** Longest query kept; a longer one is cut (a search box, not a document). */
export const MAX_QUERY_CHARS = 200;
/** Terms of a query beyond this are ignored. */
const MAX_TERMS = 12;

/** The text as indexed: CJK characters spaced apart, everything else as written. */
export function indexText(text: string): string {
  return text.replace(CJK_G, (c) => ` ${c} `);
}

function quote(token: string): string {
  return `"${token.replace(/"/g, '""')}"`;
}

/**
 * An FTS5 MATCH expression for a person's query: every term must appear (AND). A CJK run is a phrase of
 * its characters, a Latin word a prefix term. Every token is quoted, so nothing a user types is FTS syntax.
 * Undefined when the query has no searchable term.
 */
export function matchExpression(query: string): string | undefined {
  const terms: string[] = [];
  for (const word of query.slice(0, MAX_QUERY_CHARS).split(/[\s\p{P}\p{S}]+/u)) {
    if (!word) continue;
    // Split mixed runs ("PSU电源") into their Latin and CJK parts.
    for (const part of word.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu) ?? []) {
      if (CJK.test(part)) terms.push(`(${[...part].map(quote).join(' + ')})`);
      else terms.push(`${quote(part.toLowerCase())}*`);
      if (terms.length >= MAX_TERMS) break;
    }
    if (terms.length >= MAX_TERMS) break;
  }
  return terms.length ? terms.join(' AND ') : undefined;
}
