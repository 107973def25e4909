/**
 * What /api/v1/wall and /api/v1/stream send, as the wall reads it. The server's zod schemas
 * (src/api/routes/wall.ts, src/api/views.ts) are the source; tests/web/wall-wire.test.ts fails to
 * type-check when these drift from them. Kept here, not imported, because browser code is checked
 * without Node's types and the server modules need them.
 */
import type { WallState } from './layout.js';

/** A device (deviceJson). */
export interface WireDevice {
  name: string;
  address: string;
  site: string;
  tags: string[];
  state: WallState;
  reason?: string;
  rttMs?: number;
  lossPct?: number;
}

/** An incident (incidentJson), the fields the wall shows. */
export interface WireIncident {
  id: string;
  title: string;
  severity: string;
  state: 'open' | 'acknowledged' | 'resolved';
  device?: string;
  site?: string;
  openedAt: string;
  acknowledgedBy?: string;
}

/** Who is on call (onCallJson). */
export interface WireOnCall {
  tier: number;
  name: string;
  contact?: string;
}

/** The stream's status beat (streamStatusJson). */
export interface WireStatus {
  at: string;
  pollerStale: boolean;
  lastCycleAt?: string;
}

/** One sparkline point. */
export interface WirePoint {
  time: string;
  value: number | null;
}

/** One WAN link's sparklines. */
export interface WireWan {
  device: string;
  rtt: WirePoint[];
  rttMin: WirePoint[];
  rttMax: WirePoint[];
  loss: WirePoint[];
}

/** The snapshot /api/v1/wall answers. */
export interface WireWall {
  locale: 'en' | 'zh-CN';
  staleAfterMs: number;
  /** 0: the wall shows every site at once; otherwise it pages through them this often. */
  pageEveryMs: number;
  devices: WireDevice[];
  incidents: WireIncident[];
  onCall: WireOnCall[];
  wan: WireWan[];
  status: WireStatus;
}

/** The stream's `incident` event. */
export interface WireIncidentEvent {
  incident: WireIncident;
}
