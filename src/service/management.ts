import { join, resolve } from 'node:path';
import type { ServiceSection } from '../config/sections/service.js';
import type { Db } from '../core/database.js';
import type { IncidentListener } from '../core/incident.js';
import type { Logger } from '../core/log.js';
import { KnowledgeCollector, type DeviceFacts } from './knowledge/listener.js';
import { RunbookLibrary } from './knowledge/runbooks.js';
import { KnowledgeStore } from './knowledge/store.js';
import { ProblemDetector, type IncidentHistory } from './problems/detector.js';
import { ProblemStore } from './problems/store.js';

/** Problem records and the knowledge base over the state database, and the listeners that feed them. */
export interface ServiceManagement {
  problems: ProblemStore;
  knowledge: KnowledgeStore;
  runbooks: RunbookLibrary;
  /** Add to the alert engine's listeners. */
  listeners: IncidentListener[];
}

/** Builds the stores and listeners of problem management and the knowledge base. */
export function createServiceManagement(opts: {
  db: Db;
  configDir: string;
  settings: () => ServiceSection;
  history: IncidentHistory;
  facts: DeviceFacts;
  log: Logger;
}): ServiceManagement {
  const problems = new ProblemStore(opts.db);
  const knowledge = new KnowledgeStore(opts.db);
  const runbooks = new RunbookLibrary(resolve(join(opts.configDir), opts.settings().knowledge.runbookDir));
  return {
    problems, knowledge, runbooks,
    listeners: [
      new ProblemDetector(problems, opts.history, () => opts.settings().problems, opts.log.child({ component: 'problems' })),
      new KnowledgeCollector(knowledge, opts.facts, () => opts.settings().knowledge.minNoteLength, opts.log.child({ component: 'knowledge' })),
    ],
  };
}
