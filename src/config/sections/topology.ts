import { z } from 'zod';
import { durationSchema } from '../duration.js';

/** `topology.l2`: how much of the ARP, FDB and VLAN tables is kept, and for how long (docs/TOPOLOGY.md). */
export const l2SectionSchema = z.strictObject({
  /** FDB rows kept per device and inventory poll; the rest are counted as `l2.fdb_truncated`. */
  maxFdbRows: z.number().int().min(1).max(1_000_000).default(16_384),
  /** ARP entries kept per device and inventory poll. */
  maxArpRows: z.number().int().min(1).max(1_000_000).default(16_384),
  /** VLANs kept per device. */
  maxVlans: z.number().int().min(1).max(4094).default(4094),
  /** How long a MAC or ARP entry the device no longer reports stays for `noctua locate` ("last seen"). */
  keepFor: durationSchema.default(24 * 3_600_000),
  /** `mac-moved` events per device and inventory poll at most; further moves are summed up in one more event. */
  macMoveEvents: z.number().int().min(0).max(1000).default(10),
});
/** The parsed `topology.l2` section. */
export type L2Section = z.output<typeof l2SectionSchema>;

/** The `topology:` section of noctua.yaml: how links and derived parents are kept (docs/TOPOLOGY.md). */
export const topologySectionSchema = z.strictObject({
  /** The device the tree hangs from: derived parents point toward it. Without it, the poller's default gateway if it is an inventory device. */
  root: z.string().min(1).optional(),
  /** Inventory cycles of an endpoint that does not report a link before it is lost (an `event` of type link-lost). */
  lostAfter: z.number().int().min(1).max(100).default(3),
  /** ARP, FDB and VLAN tables for `noctua locate`. */
  l2: l2SectionSchema.prefault({}),
});
/** The parsed `topology:` section. */
export type TopologySection = z.output<typeof topologySectionSchema>;
