/** Entry of the console bundle (src/web/bundle.ts): mounts the app and asks who is signed in. */
import { render } from 'preact';
import { lang } from '../shared/lang.js';
import { loadSession, session } from '../shared/session.js';
import { App } from './app.js';
import './console.css';

document.documentElement.lang = lang.get();
render(<App />, document.getElementById('app')!);
loadSession().catch((err: unknown) => session.set({ kind: 'out', sso: false, message: (err as Error).message }));
