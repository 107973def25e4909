/** What a console page is: one file under pages/ exports one of these, and pages/index.ts lists it in one line. */
import type { ComponentType } from 'preact';
import type { Role } from '../shared/session.js';
import type { TextKey } from './text.js';

/** A console page: its path pattern (`/incidents/:id`), its title, and whether the top menu links to it. */
export interface PageDef {
  path: string;
  title: TextKey;
  /** Shown in the top menu, in registry order. */
  nav: boolean;
  /** The weakest role that may open it (the server checks again on every call). */
  role: Role;
  component: ComponentType<{ params: Record<string, string>; query: URLSearchParams }>;
}
