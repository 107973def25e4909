import type { DeviceClass } from '../../../config/inventory-schema.js';
import type { Profile } from '../profile.js';
import { brandBook, brandInText, classInText, descrText, type Brand, type BrandBook } from './brands.js';
import { enterpriseNumber, normaliseSysObjectID } from './enterprise-number.js';
import { organisationOf } from './registry.js';
import { shortOrganisationName, vendorTag } from './short-name.js';

/** Who made a device and what it probably is, and which evidence said so. */
export interface VendorGuess {
  /** The vendor tag (profile vocabulary: huawei, h3c, d-link...), `unknown` only when the agent named nobody. */
  vendor: string;
  /** The name as people write it (H3C, Qi An Xin, EAST Power). */
  name: string;
  /** A guess at the device class from sysDescr words, else the vendor's usual class. */
  class?: DeviceClass;
  /** profile: a profile's rule; sysDescr: a maker named in sysDescr; enterprise: the enterprise number; none. */
  source: 'profile' | 'sysDescr' | 'enterprise' | 'none';
  /** The enterprise number of sysObjectID, when one could be read. */
  enterprise?: number;
}

/** What identification reads from the system group. */
export interface SystemText { sysObjectID: string; sysDescr: string }

const prefixOf = (oid: string, prefix: string) => oid === prefix || oid.startsWith(prefix + '.');

/** The vendor an enterprise number stands for: our brand list, else the IANA registry's organisation. */
function enterpriseVendor(n: number, book: BrandBook): { vendor: string; name: string } | undefined {
  const brand = book.byNumber.get(n);
  if (brand) return { vendor: brand.vendor, name: brand.name };
  const org = organisationOf(n);
  if (org === undefined) return undefined;
  const name = shortOrganisationName(org);
  return { vendor: vendorTag(name), name };
}

/**
 * Names the vendor, in this order: the matched profile; a maker named in sysDescr; the enterprise number of
 * sysObjectID (also malformed) through brands.yaml and the IANA registry. A maker named in sysDescr beats a
 * profile matched on a shared number (Vyatta, net-snmp, Microsoft: OEM boxes) or only on sysDescr/exists.
 */
export function identifyVendor(profile: Profile | undefined, sys: SystemText, book: BrandBook = brandBook()): VendorGuess {
  const text = descrText(sys.sysDescr);
  const oid = normaliseSysObjectID(sys.sysObjectID);
  const enterprise = enterpriseNumber(oid);
  const pick = chooseVendor(profile, oid, enterprise, brandInText(text, book), book);
  // The number's own class where it is this vendor's (Vertiv 21239 is PDUs), else the vendor's usual one.
  const numberBrand = enterprise !== undefined ? book.byNumber.get(enterprise) : undefined;
  const cls = classInText(text, pick.vendor, book) ?? (numberBrand?.vendor === pick.vendor ? numberBrand.class : undefined) ?? book.byVendor.get(pick.vendor)?.class;
  return { ...pick, ...(cls ? { class: cls } : {}), ...(enterprise !== undefined ? { enterprise } : {}) };
}

type Choice = Pick<VendorGuess, 'vendor' | 'name' | 'source'>;

/** The order of evidence; the registry is only read when it is the evidence. */
function chooseVendor(profile: Profile | undefined, oid: string, enterprise: number | undefined, named: Brand | undefined, book: BrandBook): Choice {
  const shared = enterprise !== undefined && book.shared.has(enterprise);
  const ofProfile = (p: Profile): Choice => ({ vendor: p.vendor!, name: book.byVendor.get(p.vendor!)?.name ?? p.vendor!, source: 'profile' });
  const ofName = (b: Brand): Choice => ({ vendor: b.vendor, name: b.name, source: 'sysDescr' });
  const ofNumber = (n: number | undefined): Choice | undefined => {
    const v = n === undefined ? undefined : enterpriseVendor(n, book);
    return v && { ...v, source: 'enterprise' };
  };
  const maker = named && !named.platform ? named : undefined;
  if (profile) {
    const byNumber = oid !== '' && profile.match.some((m) => m.sysObjectID !== undefined && prefixOf(oid, m.sysObjectID));
    // The profile's vendor owns its number, unless the number is one many makers ship on (OEM boxes).
    if (byNumber && !shared) return ofProfile(profile);
    if (byNumber) return maker && maker.vendor !== profile.vendor ? ofName(maker) : ofProfile(profile);
    // Matched only on sysDescr or `exists`: a named maker or the box's own enterprise number says more.
    return (maker && ofName(maker)) ?? (shared ? undefined : ofNumber(enterprise)) ?? ofProfile(profile);
  }
  return (named && ofName(named)) ?? ofNumber(enterprise) ?? { vendor: 'unknown', name: 'unknown', source: 'none' };
}
