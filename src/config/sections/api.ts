import { z } from 'zod';

export const API_ROLES = ['viewer', 'operator', 'admin'] as const;

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
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits (sha256 of the token)'),
  })).default([]),
  publicWall: z.boolean().default(false),
  publicHealth: z.boolean().default(true),
  cors: z.array(z.string()).default([]),
  rateLimitPerMinute: z.number().int().min(1).default(600),
  bodyLimitBytes: z.number().int().min(1024).default(1024 * 1024),
});
export type ApiSection = z.output<typeof apiSectionSchema>;
