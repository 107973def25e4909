import { z } from 'zod';
import { secret } from '../secret.js';
import { durationSchema } from '../duration.js';

/** Roles an API token can carry, from least to most powerful: each includes the ones before it. */
export const API_ROLES = ['viewer', 'operator', 'admin'] as const;
/** One API role: viewer reads, operator acknowledges/comments/plans maintenance, admin also validates and reloads config. */
export type ApiRole = (typeof API_ROLES)[number];

/** `api:` in noctua.yaml: the HTTP API and the NOC wall page. */
export const apiSectionSchema = z.strictObject({
  enabled: z.boolean().default(true),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Base URL people reach the API on, used in acknowledge links inside notices. */
  publicUrl: z.string().optional(),
  tokens: z.array(z.strictObject({
    name: z.string().min(1),
    role: z.enum(API_ROLES),
    /** sha256 hex of the token; plain tokens are never stored in config. */
    /** Secret too: a plain token pasted here by mistake must not be echoed in an error. */
    sha256: secret(z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits (sha256 of the token)')),
  })).default([]),
  /** When true the wall page's data (snapshot and live stream) needs no token: for screens in a locked NOC room. */
  publicWall: z.boolean().default(false),
  /** When true /healthz and /readyz need no token, so load balancers and probes can call them. */
  publicHealth: z.boolean().default(true),
  /** Origins allowed to call the API from a browser; empty means no CORS headers at all. */
  cors: z.array(z.string()).default([]),
  rateLimitPerMinute: z.number().int().min(1).default(600),
  /** Behind a reverse proxy: trust its X-Forwarded-For so rate limits and stream caps count per client (true, or the proxy's addresses/CIDRs). */
  trustProxy: z.union([z.boolean(), z.array(z.string().min(1)).min(1)]).default(false),
  bodyLimitBytes: z.number().int().min(1024).default(1024 * 1024),
  wall: z.strictObject({
    /** The wall shows "data stale" when the stream is silent, or the poller has not finished a cycle, for this long. */
    staleAfter: durationSchema.default(90_000),
    /** How often the live stream sends a status beat, so the wall can tell a quiet network from a dead stream. */
    heartbeat: durationSchema.default(10_000),
    /** How far back the WAN latency/loss sparklines reach. */
    sparklineWindow: durationSchema.default(3_600_000),
    /**
     * Off (0) by default: the wall shows every site at once. Set to page through the sites this often, each page
     * with squares large enough to read device names from across the room.
     */
    pageEvery: durationSchema.default(0).refine((ms) => ms === 0 || ms >= 5000, 'expected 0 (off) or at least 5s'),
  }).prefault({}),
});
/** The validated `api:` section. */
export type ApiSection = z.output<typeof apiSectionSchema>;
