import { migrate, type Db } from '../../core/database.js';
import { indexText, matchExpression } from './text-index.js';

/** What a knowledge entry is about: the fault (rule or event type) and the kind of box it happened on. */
export interface KnowledgeSubject {
  rule?: string;
  vendor?: string;
  model?: string;
  class?: string;
  device?: string;
}

/** A knowledge entry (知识条目): what was found and what fixed it, from a resolution note or written by hand. */
export interface KnowledgeEntry extends KnowledgeSubject {
  id: number;
  /** The incident whose resolution note this is; absent for entries written by hand. */
  incidentId?: string;
  title: string;
  body: string;
  by?: string;
  createdAt: Date;
}

/** A search hit: the entry and why it ranked where it did. */
export interface KnowledgeHit { entry: KnowledgeEntry; score: number }

/** Longest title and body kept (a note pasted from a log is cut, not refused). */
export const MAX_TITLE = 200;
export const MAX_BODY = 20_000;

const MIGRATIONS = [
  `CREATE TABLE service_knowledge (id INTEGER PRIMARY KEY AUTOINCREMENT, incident_id TEXT UNIQUE, rule TEXT, vendor TEXT, model TEXT, class TEXT,
     device TEXT, title TEXT NOT NULL, body TEXT NOT NULL, by TEXT, created_at INTEGER NOT NULL);
   CREATE INDEX service_knowledge_rule ON service_knowledge (rule, vendor, model);
   CREATE VIRTUAL TABLE service_knowledge_fts USING fts5(title, body, subject, tokenize = 'unicode61 remove_diacritics 2');`,
];

interface Row {
  id: number; incident_id: string | null; rule: string | null; vendor: string | null; model: string | null; class: string | null;
  device: string | null; title: string; body: string; by: string | null; created_at: number;
}

function entryOf(r: Row): KnowledgeEntry {
  return {
    id: r.id, incidentId: r.incident_id ?? undefined, rule: r.rule ?? undefined, vendor: r.vendor ?? undefined, model: r.model ?? undefined,
    class: r.class ?? undefined, device: r.device ?? undefined, title: r.title, body: r.body, by: r.by ?? undefined, createdAt: new Date(r.created_at),
  };
}

/** The knowledge base in the state database, searchable in Chinese and English (text-index.ts says how). */
export class KnowledgeStore {
  constructor(private readonly db: Db) {
    migrate(db, 'service-knowledge', MIGRATIONS);
  }

  /**
   * Adds an entry; an incident's note is kept once (a redelivered resolve replaces nothing). Returns the
   * entry, or undefined when the incident already has one.
   */
  add(e: KnowledgeSubject & { incidentId?: string; title: string; body: string; by?: string; at: Date }): KnowledgeEntry | undefined {
    const title = e.title.slice(0, MAX_TITLE);
    const body = e.body.slice(0, MAX_BODY);
    return this.db.transaction(() => {
      const r = this.db.prepare(`INSERT OR IGNORE INTO service_knowledge (incident_id, rule, vendor, model, class, device, title, body, by, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(e.incidentId ?? null, e.rule ?? null, e.vendor ?? null, e.model ?? null, e.class ?? null,
        e.device ?? null, title, body, e.by ?? null, e.at.getTime());
      if (r.changes === 0) return undefined;
      const id = Number(r.lastInsertRowid);
      const subject = [e.rule, e.vendor, e.model, e.class, e.device].filter(Boolean).join(' ');
      this.db.prepare('INSERT INTO service_knowledge_fts (rowid, title, body, subject) VALUES (?, ?, ?, ?)').run(id, indexText(title), indexText(body), indexText(subject));
      return this.get(id);
    })();
  }

  get(id: number): KnowledgeEntry | undefined {
    const r = this.db.prepare('SELECT * FROM service_knowledge WHERE id = ?').get(id) as Row | undefined;
    return r && entryOf(r);
  }

  /** Entries matching every term of `query` (CJK or Latin), best first (bm25, titles weigh more). */
  search(query: string, opts: { limit?: number; offset?: number } = {}): { items: KnowledgeHit[]; total: number } {
    const expr = matchExpression(query);
    if (!expr) return { items: [], total: 0 };
    const total = (this.db.prepare('SELECT COUNT(*) AS c FROM service_knowledge_fts WHERE service_knowledge_fts MATCH ?').get(expr) as { c: number }).c;
    const rows = this.db.prepare(`SELECT k.*, bm25(service_knowledge_fts, 3.0, 1.0, 2.0) AS rank FROM service_knowledge_fts
      JOIN service_knowledge k ON k.id = service_knowledge_fts.rowid WHERE service_knowledge_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?`)
      .all(expr, opts.limit ?? 20, opts.offset ?? 0) as (Row & { rank: number })[];
    return { items: rows.map((r) => ({ entry: entryOf(r), score: -r.rank })), total };
  }

  /**
   * Past entries for an incident like this one, most alike first: same rule on the same vendor and model,
   * then same rule and vendor, then same rule, then the same vendor's other faults; newest first within each.
   */
  similar(subject: KnowledgeSubject, opts: { excludeIncident?: string; limit?: number } = {}): KnowledgeHit[] {
    const conds: string[] = [];
    const args: string[] = [];
    if (subject.rule) { conds.push('rule = ?'); args.push(subject.rule); }
    if (subject.vendor) { conds.push('vendor = ?'); args.push(subject.vendor); }
    if (conds.length === 0) return [];
    // Bounded: the newest 500 candidates are plenty to rank the top few.
    const rows = this.db.prepare(`SELECT * FROM service_knowledge WHERE (${conds.join(' OR ')}) ORDER BY created_at DESC LIMIT 500`).all(...args) as Row[];
    const score = (r: Row) => (subject.rule && r.rule === subject.rule ? 4 : 0) + (subject.vendor && r.vendor === subject.vendor ? 2 : 0)
      + (subject.model && r.model === subject.model ? 1 : 0);
    return rows.filter((r) => !opts.excludeIncident || r.incident_id !== opts.excludeIncident)
      .map((r) => ({ entry: entryOf(r), score: score(r) }))
      .sort((a, b) => b.score - a.score || b.entry.createdAt.getTime() - a.entry.createdAt.getTime())
      .slice(0, opts.limit ?? 5);
  }
}
