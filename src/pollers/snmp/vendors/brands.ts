import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEVICE_CLASSES, type DeviceClass } from '../../../config/inventory-schema.js';
import { ConfigInvalidError, YamlSource, parseYamlWith } from '../../../config/yaml-source.js';

/**
 * The vendor knowledge in brands.yaml: enterprise numbers, the words agents put in sysDescr, and device
 * classes. Words are matched with indexOf and boundary checks, never as regular expressions.
 */

/** The shipped brand list. */
export const BRANDS_FILE = join(dirname(fileURLToPath(import.meta.url)), 'brands.yaml');

/** How much of sysDescr identification reads (agents have sent 64 KB of text there). */
export const MAX_DESCR = 1024;

const word = z.string().min(2).max(60).refine((w) => w.trim() === w && !w.slice(0, -1).includes('*'), {
  message: 'expected plain text without leading/trailing spaces; `*` only at the end (prefix)',
});
const classWordsSchema = z.array(z.strictObject({ class: z.enum(DEVICE_CLASSES), words: z.array(word).min(1) })).default([]);

const brandSchema = z.strictObject({
  /** The vendor tag, as profiles spell it (lower case). */
  vendor: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case vendor tag such as huawei'),
  /** How people write the name. */
  name: z.string().min(1),
  class: z.enum(DEVICE_CLASSES),
  /** An OEM platform (Vyatta, Linux): any other maker named in sysDescr wins over it. */
  platform: z.boolean().default(false),
  enterprises: z.array(z.number().int().min(0).max(4_294_967_295)).default([]),
  words: z.array(word).default([]),
  classWords: classWordsSchema,
});
export type Brand = z.output<typeof brandSchema>;

const brandsFileSchema = z.strictObject({
  sharedEnterprises: z.array(z.number().int().min(0)).default([]),
  classWords: classWordsSchema,
  brands: z.array(brandSchema).min(1),
});

/** A parsed word: lower-cased text, and whether it may run on into more letters (`NGFW*`). */
interface Word { text: string; prefix: boolean }
const parseWord = (w: string): Word => (w.endsWith('*') ? { text: w.slice(0, -1).toLowerCase(), prefix: true } : { text: w.toLowerCase(), prefix: false });

interface ClassWords { class: DeviceClass; words: Word[] }

/** brands.yaml, ready for matching. */
export interface BrandBook {
  shared: ReadonlySet<number>;
  classWords: readonly ClassWords[];
  brands: readonly (Brand & { parsedWords: Word[]; parsedClassWords: ClassWords[] })[];
  byNumber: ReadonlyMap<number, Brand>;
  byVendor: ReadonlyMap<string, Brand>;
}

const toClassWords = (list: z.output<typeof classWordsSchema>): ClassWords[] => list.map((c) => ({ class: c.class, words: c.words.map(parseWord) }));

/** Reads and checks a brands file (errors name file:line:col). */
export function loadBrandBook(file = BRANDS_FILE): BrandBook {
  const parsed = parseYamlWith(YamlSource.read(file), brandsFileSchema);
  if (!parsed.value) throw new ConfigInvalidError(parsed.errors);
  const v = parsed.value;
  const byNumber = new Map<number, Brand>();
  const byVendor = new Map<string, Brand>();
  for (const b of v.brands) {
    for (const n of b.enterprises) {
      if (byNumber.has(n)) throw new Error(`${file}: enterprise number ${n} is listed for both ${byNumber.get(n)!.vendor} and ${b.vendor} (expected one vendor per number)`);
      byNumber.set(n, b);
    }
    if (!byVendor.has(b.vendor)) byVendor.set(b.vendor, b);
  }
  return {
    shared: new Set(v.sharedEnterprises),
    classWords: toClassWords(v.classWords),
    brands: v.brands.map((b) => ({ ...b, parsedWords: b.words.map(parseWord), parsedClassWords: toClassWords(b.classWords) })),
    byNumber, byVendor,
  };
}

let book: BrandBook | undefined;

/** The shipped brand book, read on first use. */
export function brandBook(): BrandBook {
  book ??= loadBrandBook();
  return book;
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));

/** Where the word first stands as a word in the (lower-cased) text, or -1. Linear: indexOf and two character checks per hit. */
export function findWord(text: string, w: Word): number {
  for (let at = text.indexOf(w.text); at >= 0; at = text.indexOf(w.text, at + 1)) {
    const end = at + w.text.length;
    if (!isWordChar(text[at - 1]) && (w.prefix || !isWordChar(text[end]))) return at;
  }
  return -1;
}

const UNAME_SYSTEMS = new Set(['linux', 'freebsd', 'netbsd', 'openbsd', 'sunos', 'darwin', 'aix', 'hp-ux']);

/**
 * The part of sysDescr worth reading for names, lower-cased: its first {@link MAX_DESCR} characters, without
 * the hostname that `uname -a` style texts carry second ("Linux cisco-lab 5.10 ...": not a Cisco).
 */
export function descrText(sysDescr: string): string {
  const text = sysDescr.slice(0, MAX_DESCR).toLowerCase();
  const lead = text.length - text.trimStart().length;
  const sp = text.indexOf(' ', lead);
  if (sp < 0 || !UNAME_SYSTEMS.has(text.slice(lead, sp))) return text;
  const end = text.indexOf(' ', sp + 1);
  return text.slice(0, sp + 1) + (end < 0 ? '' : text.slice(end));
}

/** The maker named in the text: a non-platform brand before a platform one, then the earliest mention. */
export function brandInText(text: string, b: BrandBook = brandBook()): Brand | undefined {
  let best: { brand: Brand; at: number } | undefined;
  for (const brand of b.brands) {
    let at = -1;
    for (const w of brand.parsedWords) {
      const i = findWord(text, w);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    }
    if (at < 0) continue;
    if (!best || (best.brand.platform && !brand.platform) || (best.brand.platform === brand.platform && at < best.at)) best = { brand, at };
  }
  return best?.brand;
}

/** The class the text names, the vendor's own words first, then the common ones; undefined when none. */
export function classInText(text: string, vendor: string | undefined, b: BrandBook = brandBook()): DeviceClass | undefined {
  const own = b.brands.filter((x) => x.vendor === vendor).flatMap((x) => x.parsedClassWords);
  for (const group of [own, b.classWords]) {
    for (const c of group) if (c.words.some((w) => findWord(text, w) >= 0)) return c.class;
  }
  return undefined;
}
