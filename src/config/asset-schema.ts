import { z } from 'zod';

/** Longest operator-maintained asset text (owner, contract, asset tag). */
export const MAX_ASSET_TEXT = 200;

/** A calendar date written `YYYY-MM-DD` (quoted or not: YAML 1.2 reads both as text), checked to exist. */
const isoDate = z.string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date written YYYY-MM-DD, e.g. 2027-06-30')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, { message: 'expected a date that exists in the calendar (YYYY-MM-DD)' });

const assetText = z.string().trim().min(1, 'expected text that is not blank').max(MAX_ASSET_TEXT, `expected at most ${MAX_ASSET_TEXT} characters`);

/**
 * What the operator keeps about a device as an asset (`asset:` on a device, or under a site's or the file's
 * `defaults:`); the hardware itself (model, serial, firmware, parts) comes from the inventory poll.
 */
export const assetFieldsSchema = z.strictObject({
  /** The organisation's own label on the box (资产编号). */
  assetTag: assetText.optional(),
  /** Who answers for the device: a team or a person (责任人). */
  owner: assetText.optional(),
  /** The maintenance or purchase contract it falls under (合同). */
  contract: assetText.optional(),
  purchaseDate: isoDate.optional(),
  warrantyEnd: isoDate.optional(),
}).refine((a) => !(a.purchaseDate && a.warrantyEnd && a.warrantyEnd < a.purchaseDate), {
  message: 'warrantyEnd is before purchaseDate', path: ['warrantyEnd'],
});

/** The operator's asset fields of one device after defaults are merged. */
export type AssetFields = z.output<typeof assetFieldsSchema>;

/** Merges the file-wide, site and device `asset:` blocks, later keys winning; undefined when none sets anything. */
export function mergeAssetFields(layers: readonly (AssetFields | undefined)[]): AssetFields | undefined {
  const out: AssetFields = {};
  for (const l of layers) for (const [k, v] of Object.entries(l ?? {})) if (v !== undefined) (out as Record<string, string>)[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}
