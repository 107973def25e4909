import type { Lang } from '../../config/lang.js';
import type { Runbook } from '../../service/knowledge/runbooks.js';
import type { KnowledgeStore } from '../../service/knowledge/store.js';
import type { ProblemStore } from '../../service/problems/store.js';

/** Problem records (问题管理): the store's reads and people's edits. */
export type ProblemRecordService = Pick<ProblemStore, 'list' | 'get' | 'log' | 'edit' | 'close' | 'forIncident'>;

/** The knowledge base (知识库): search, entries written by hand, similar past incidents, runbooks. */
export interface KnowledgeService {
  entries: Pick<KnowledgeStore, 'search' | 'add' | 'get' | 'similar'>;
  runbook(name: string, lang: Lang): Promise<Runbook | undefined>;
  runbookNames(): Promise<string[]>;
  /** Vendor, model and class of a device, to find knowledge from the same kind of box. */
  deviceFacts(device: string): { vendor?: string; model?: string; class?: string };
}
