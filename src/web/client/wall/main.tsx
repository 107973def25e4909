/** Entry of the wall bundle (src/web/bundle.ts): reads the screen's options, starts the feed, mounts the page. */
import { render } from 'preact';
import { App } from './app.js';
import { WallFeed } from './feed.js';
import { readOptions } from './options.js';
import './wall.css';

const options = readOptions();
const feed = new WallFeed(options.token, options.lang);
render(<App feed={feed} pageEveryMs={options.pageEveryMs} />, document.getElementById('wall')!);
feed.start();
