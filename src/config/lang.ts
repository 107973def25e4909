/** The languages Noctua speaks: notices, reports, the wall and the console (noctua.yaml `locale`). */
export const LANGS = ['zh-CN', 'en'] as const;
/** One of {@link LANGS}. */
export type Lang = (typeof LANGS)[number];
