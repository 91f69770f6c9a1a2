import { render } from 'preact';

import { adoptTokenFromUrl } from './api-client.js';
import { App } from './app.js';
import './styles.css';

/** The dashboard's entry point, loaded by `/assets/app.js` (no inline script: the page's CSP forbids it). */
adoptTokenFromUrl();
render(<App />, document.getElementById('app')!);
