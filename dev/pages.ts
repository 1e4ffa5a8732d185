/** The dev host's HTML: the page shell, and where a link into another Kibana app would lead. */

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function indexHtml(config: { kibanaVersion: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Generate ML demo data - Elastic</title>
<link rel="stylesheet" href="/bundle/main.css">
<script>window.__ML_DEMO_DEV_HOST__ = ${JSON.stringify(config).replace(/</g, '\\u003c')};</script>
<script type="module" src="/bundle/main.js"></script>
</head>
<body>
<div id="chrome"></div>
<main id="app"></main>
</body>
</html>
`;
}

const APP_NAMES: Record<string, string> = { ml: 'Machine Learning', security: 'Security', management: 'Stack Management' };

/**
 * Links into ML, Security and Stack Management lead here in the dev host: the page says which
 * Kibana app and space the link opens and shows its URL state decoded, so the links can be
 * followed and checked without a Kibana.
 */
export function appLinkPage(app: string, space: string, url: URL): string {
  const rows = [...url.searchParams.entries()]
    .map(([k, v]) => `<tr><th scope="row"><code>${escape(k)}</code></th><td><code data-param="${escape(k)}">${escape(v)}</code></td></tr>`)
    .join('');
  const subPath = url.pathname.replace(/^(?:\/s\/[^/]+)?\/app\/[^/]+/, '') || '/';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escape(APP_NAMES[app] ?? app)} - dev host</title>
<style>
body{font-family:Inter,system-ui,sans-serif;margin:2rem;color:#111;background:#fff}
code{font-family:ui-monospace,Menlo,monospace;word-break:break-all}
th{text-align:left;padding:.3rem 1rem .3rem 0;vertical-align:top;white-space:nowrap}th code{word-break:normal}td{padding:.3rem 0}
.note{color:#555}
</style></head>
<body>
<h1 data-app="${escape(app)}">${escape(APP_NAMES[app] ?? app)}</h1>
<p class="note">In Kibana this link opens <strong>${escape(APP_NAMES[app] ?? app)}</strong> at <code data-subpath>${escape(subPath)}</code> in space <strong data-space>${escape(space)}</strong>. The dev host has no ${escape(APP_NAMES[app] ?? app)} app; here is the URL state it would read.</p>
<table><tbody>${rows || '<tr><td>(no URL state)</td></tr>'}</tbody></table>
<p><a href="javascript:history.back()">Back</a></p>
</body>
</html>
`;
}
