/**
 * Buttons in chat messages: one per action link of a notice (acknowledge, claim, mute), either opening the
 * link's confirm page (`links`: every robot can) or calling back into Noctua with the signed token (`callback`:
 * Slack and Feishu apps, whose button presses reach POST /api/v1/chat/<platform>/callback).
 */
import { z } from 'zod';
import { LINK_ACTIONS, type LinkAction } from '../escalation/link-actions.js';
import type { Notice } from '../escalation/notice.js';
import { LINK_TEXT, muteText } from '../escalation/templates.js';

/** `buttons:` of a channel that can only open links (DingTalk ActionCard, WeCom template card). */
export const linkButtonsSchema = z.enum(['none', 'links']).default('none');
/** `buttons:` of a channel whose buttons can call back (Slack Block Kit, Feishu cards). */
export const callbackButtonsSchema = z.enum(['none', 'links', 'callback']).default('none');

/** One button of a notice. */
export interface NoticeButton { action: LinkAction; text: string; url: string; token?: string }

/** The action buttons a notice carries: none once the incident is acknowledged or resolved, nor for reports. */
export function noticeButtons(notice: Notice): NoticeButton[] {
  if (notice.kind === 'acknowledged' || notice.kind === 'resolved' || notice.kind === 'report') return [];
  const words = LINK_TEXT[notice.locale];
  const out: NoticeButton[] = [];
  for (const action of LINK_ACTIONS) {
    const url = notice.links[action];
    if (!url) continue;
    const text = action === 'mute' ? muteText(notice.locale, notice.muteForMs) : words[action];
    out.push({ action, text, url, token: notice.actionTokens?.[action] });
  }
  return out;
}

/** The notice without its action links, for the text beside buttons (the buttons carry them). */
export function withoutActionLinks(notice: Notice): Notice {
  const { ack: _a, claim: _c, mute: _m, ...rest } = notice.links;
  return { ...notice, links: rest };
}

/** A callback button's value as text, "<action>:<token>" (Slack's value, WeCom's key); the API reads it back. */
export function buttonKey(action: LinkAction, token: string): string {
  return `${action}:${token}`;
}
