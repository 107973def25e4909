import type { Block, SectionContext } from '../blocks.js';
import { recommendationText } from '../i18n.js';

/** 8. Recommendations, most urgent first. */
export function recommendationBlocks({ model, fmt }: SectionContext): Block[] {
  return [{ type: 'list', ordered: true, items: model.recommendations.map((r) => recommendationText(fmt, r)) }];
}
