import type { Markup } from '../escalation/templates.js';

/**
 * How each channel's markup treats values from devices, config and people. A value is made one line
 * and inert at the moment it is filled into a notice (`renderNotice`); only Noctua's own links and
 * mentions are written as live markup. Robots' markdown dialects document no backslash escape, so
 * markup characters in a value are replaced with their full-width look-alikes, which no dialect reads
 * as markup and which read naturally in Chinese and English text.
 */

/** Line breaks and other control characters become one space; bidi overrides (which can reorder what a reader sees) go. */
export function oneLine(value: string): string {
  return value
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g, '');
}

const FULL_WIDTH: Record<string, string> = {
  '[': '［', ']': '］', '(': '（', ')': '）', '<': '＜', '>': '＞', '*': '＊', _: '＿', '~': '～', '`': '｀',
  '#': '＃', '!': '！', '|': '｜', '\\': '＼', '&': '＆',
};
const lookAlikes = (chars: RegExp) => (value: string) => value.replace(chars, (c) => FULL_WIDTH[c] ?? c);
/**
 * An underscore inside a word (core_sw_01, to_core) starts no emphasis in Slack or CommonMark and is kept, so
 * names can still be copied; only one at the edge of a word is replaced.
 */
const edgeUnderscores = (value: string) => value.replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '＿');

/** Percent-encodes what would end a markup link early; Noctua's URLs rarely hold these, a configured dashboard URL might. */
function linkSafe(url: string, chars: RegExp): string {
  return url.replace(chars, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Plain text (the generic webhook's `text`, Feishu's plain_text header): values only lose their line breaks. */
export const plainText: Markup = {
  escape: oneLine,
  link: (url, text) => `${text}: ${url}`,
  lineBreak: '\n',
};

const markdownChars = lookAlikes(/[[\]()<>*~`#!|\\&]/g);

/**
 * Chat markdown of DingTalk and WeCom robots and Feishu's lark_md: no `[text](url)` link, `![image]`, heading,
 * quote, table, emphasis, code, `<font>`, `<@userid>` or `<at id=all>` can come from a value.
 */
export const chatMarkdown: Markup = {
  escape: (value) => edgeUnderscores(markdownChars(oneLine(value))),
  link: (url, text) => `[${text}](${linkSafe(url, /[()\s<>]/g)})`,
  lineBreak: '\n\n',
};

const slackFormatting = lookAlikes(/[*~`]/g);

/**
 * Slack mrkdwn: `&`, `<` and `>` as the entities Slack documents (so `<!channel>`, `<@U…>` and `<url|text>` cannot
 * come from a value), and the formatting characters, which Slack cannot escape, as look-alikes.
 */
export const slackMrkdwn: Markup = {
  escape: (value) => edgeUnderscores(slackFormatting(oneLine(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'))),
  link: (url, text) => `<${linkSafe(url, /[|<>\s]/g)}|${text}>`,
  lineBreak: '\n',
};
