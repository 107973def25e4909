import { z } from 'zod';

/** The `topology:` section of noctua.yaml: how links and derived parents are kept (docs/TOPOLOGY.md). */
export const topologySectionSchema = z.strictObject({
  /** The device the tree hangs from: derived parents point toward it. Without it, the poller's default gateway if it is an inventory device. */
  root: z.string().min(1).optional(),
  /** Inventory cycles of an endpoint that does not report a link before it is lost (an `event` of type link-lost). */
  lostAfter: z.number().int().min(1).max(100).default(3),
});
/** The parsed `topology:` section. */
export type TopologySection = z.output<typeof topologySectionSchema>;
