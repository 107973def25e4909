/** Limits above which a device "needs attention"; documented in docs/REPORTS.md. */
export const THRESHOLDS = {
  availabilityPct: 99.9,
  cpuAvgPct: 70,
  cpuPeakPct: 90,
  memoryPeakPct: 90,
  storagePct: 85,
  temperatureC: 60,
  upsChargePct: 50,
  interfaceErrors: 100,
  capacityPct: 90,
  capacityHorizonDays: 30,
} as const;
