/**
 * The "Generate ML demo data" page in a real browser: Debian's Chromium driven by playwright-core,
 * on the dev host (dev/server.ts: the plugin's real routes on the contract-validated stand-in).
 * Picks modules with the keyboard and the mouse, runs, follows the progress to the end, checks
 * that the links carry the run's job ids, time range and space, follows one, reloads, keeps the
 * demo live with the switch (its Task Manager task's first round) and turns it off, switches to
 * the dark theme, cleans up through the confirmation, and shows a missing privilege.
 * Screenshots go to test-artifacts/; with UPDATE_DOCS_SCREENSHOT=1 the results in the light theme
 * also go to docs/screenshot.png (the README's).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, selectors, type BrowserContext, type Page } from 'playwright-core';
import type { LiveStatus, RunProgress } from '../../common/api';
import { API_VERSION, ROUTES } from '../../common/constants';
import { startDevHost, type DevHost } from '../../dev/server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const SPACE = 'demo';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium before the tests`);
const describeBrowser = haveChromium ? describe : describe.skip;
if (!haveChromium) console.warn(`page.e2e: skipped, no ${CHROMIUM} (apt-get install -y chromium)`);

jest.setTimeout(180_000);

let host: DevHost;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
const pageErrors: string[] = [];

async function shot(name: string, options: { fullPage?: boolean; to?: string } = {}) {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? true });
  if (options.to) fs.copyFileSync(file, options.to);
}

async function api<T>(route: string): Promise<T> {
  const res = await fetch(`${host.url}/s/${SPACE}${route}`, { headers: { 'elastic-api-version': API_VERSION, 'x-elastic-internal-origin': 'Kibana' } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function latestRun(): Promise<RunProgress> {
  const { run } = await api<{ run: RunProgress | null }>(ROUTES.runs);
  if (!run) throw new Error('no run');
  return run;
}

async function runStateText(): Promise<string> {
  return (await page.getByTestId('runState').textContent()) ?? '';
}

async function waitForRunEnd(timeoutMs = 150_000): Promise<string> {
  await page.waitForFunction(
    () => /^(Finished|Failed|Interrupted|Cancelled)$/.test(document.querySelector('[data-test-subj="runState"]')?.textContent ?? ''),
    undefined,
    { timeout: timeoutMs, polling: 250 },
  );
  return runStateText();
}

function href(url: string | null): URL {
  if (!url) throw new Error('no href');
  return new URL(url, host.url);
}

describeBrowser('the page in Chromium', () => {
  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    selectors.setTestIdAttribute('data-test-subj');
    // Datafeeds take 3 s on the stand-in so the progress can be seen; the run manager polls fast.
    host = await startDevHost({ log: () => undefined, standin: { datafeedRunMs: 3000 }, run: { installDefaults: { pollMs: 200, retryWaitMs: 50 } } });
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-demo-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1440, height: 1000 },
      colorScheme: 'light',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  afterAll(async () => {
    await context?.close();
    await host?.close();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  });

  it('shows the modules and the options', async () => {
    await page.goto(`${host.url}/s/${SPACE}/app/mlDemoData?theme=light`);
    await page.getByTestId('moduleCard-security_auth').waitFor();
    await expect(page.title()).resolves.toBe('Generate ML demo data - Elastic');
    // Mounted through the render context: inside core's i18n context (the dev host's marks itself).
    await expect(page.locator('[data-test-subj="devHostI18nContext"] [data-test-subj="mlDemoDataPage"]').count()).resolves.toBe(1);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Generate ML demo data');
    await expect(page.getByTestId('moduleSelectionSummary').textContent()).resolves.toMatch(/^7 of 7 modules selected, \d+ jobs$/);
    await shot('01-modules-light');
    // The advanced options, with the timeline switch (off by default), then closed again.
    await page.getByText('Advanced options').click();
    const timeline = page.getByTestId('optionTimeline');
    await timeline.waitFor();
    await expect(timeline.getAttribute('aria-checked')).resolves.toBe('false');
    await page.getByTestId('advancedOptions').scrollIntoViewIfNeeded();
    await shot('01b-advanced-options-light', { fullPage: false });
    await page.getByText('Advanced options').click();
  });

  it('selects modules with the keyboard and the mouse', async () => {
    await page.getByTestId('selectNoModules').click();
    const auth = page.getByRole('checkbox', { name: 'Security: Authentication' });
    await auth.focus();
    await page.keyboard.press('Space');
    await expect(auth.isChecked()).resolves.toBe(true);
    await page.getByRole('checkbox', { name: 'Security: Network' }).click();
    await expect(page.getByTestId('moduleSelectionSummary').textContent()).resolves.toBe('2 of 7 modules selected, 11 jobs');
    await page.getByLabel('History (days)').fill('2');
    await page.getByTestId('generateButton').click();
    await page.getByText('A whole number of days from 3 to 90').waitFor();
    await page.getByLabel('History (days)').fill('3');
  });

  it('generates, shows the progress and the results', async () => {
    await page.getByTestId('generateButton').click();
    await page.getByTestId('runProgress').waitFor();
    // The datafeeds take 3 s on the stand-in: catch the page in that phase (or, on a slow machine, at the end).
    await page.waitForFunction(
      () =>
        document.querySelector('[data-test-subj="phase-datafeeds"]')?.getAttribute('data-status') === 'loading' ||
        /^(Finished|Failed|Interrupted|Cancelled)$/.test(document.querySelector('[data-test-subj="runState"]')?.textContent ?? ''),
      undefined,
      { timeout: 60_000 },
    );
    if ((await runStateText()).startsWith('Running')) await expect(page.locator('[aria-current="step"]').textContent()).resolves.toContain('Run datafeeds');
    await shot('02-running-light');
    await expect(waitForRunEnd()).resolves.toBe('Finished');
    const run = await latestRun();
    expect(run.state).toBe('succeeded');
    expect(run.errors).toEqual([]);
    expect(run.jobs.length).toBe(11);
    expect(run.jobs.every((j) => j.detected)).toBe(true);
    await page.getByTestId('explorerAllLink').waitFor();
    await shot('03-results-light');
    await page.evaluate(() => window.scrollTo(0, 0));
    // UPDATE_DOCS_SCREENSHOT=1 also refreshes the README's screenshot.
    await shot('03-results-light-top', { fullPage: false, to: process.env.UPDATE_DOCS_SCREENSHOT ? path.join(ROOT, 'docs', 'screenshot.png') : undefined });
  });

  it('links to Anomaly Explorer and the alerts with the run’s jobs, time range, rules and space', async () => {
    const run = await latestRun();
    const jobIds = run.jobs.map((j) => j.jobId);
    const time = `time:(from:'${run.window?.start}',mode:absolute,to:'${run.window?.end}')`;

    const all = href(await page.getByTestId('explorerAllLink').getAttribute('href'));
    expect(all.pathname).toBe(`/s/${SPACE}/app/ml/explorer`);
    expect(all.searchParams.get('_g')).toBe(`(ml:(jobIds:!(${jobIds.join(',')})),${time})`);
    expect(all.searchParams.get('_a')).toBe('(explorer:(mlExplorerFilter:(),mlExplorerSwimlane:()))');

    const one = href(await page.getByTestId(`explorerLink-${jobIds[0]}`).getAttribute('href'));
    expect(one.searchParams.get('_g')).toBe(`(ml:(jobIds:!(${jobIds[0]})),${time})`);

    const ruleIds = run.rules.filter((r) => r.state !== 'failed' && r.state !== 'pending').map((r) => r.ruleId);
    expect(ruleIds.length).toBeGreaterThan(0);
    const alerts = href(await page.getByTestId('alertsLink').getAttribute('href'));
    expect(alerts.pathname).toBe(`/s/${SPACE}/app/security/alerts`);
    expect(alerts.searchParams.get('query')).toBe(`(language:kuery,query:'kibana.alert.rule.rule_id: (${ruleIds.map((r) => `"${r}"`).join(' or ')})')`);

    const rule = run.rules.find((r) => r.id);
    const withRule = run.jobs.find((j) => j.ruleId === rule?.ruleId);
    if (rule && withRule)
      expect(href(await page.getByTestId(`ruleLink-${withRule.jobId}`).getAttribute('href')).pathname).toBe(`/s/${SPACE}/app/security/rules/id/${rule.id}`);

    // Follow one: the dev host shows where it leads.
    await page.getByTestId('explorerAllLink').click();
    await page.locator('h1[data-app="ml"]').waitFor();
    await expect(page.locator('[data-space]').textContent()).resolves.toBe(SPACE);
    await expect(page.locator('[data-param="_g"]').textContent()).resolves.toBe(`(ml:(jobIds:!(${jobIds.join(',')})),${time})`);
    await shot('04-explorer-link-target', { fullPage: false });

    // Back (a fresh load): the space's latest run is shown again.
    await page.goBack();
    await page.getByTestId('explorerAllLink').waitFor();
    await expect(runStateText()).resolves.toBe('Finished');
  });

  it('keeps the demo live with the switch: a Task Manager task whose rounds index in real time, then turns it off', async () => {
    const standin = host.standin!;
    const toggle = page.getByTestId('liveSwitch');
    await toggle.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => !(document.querySelector('[data-test-subj="liveSwitch"]') as HTMLButtonElement | null)?.disabled);
    await expect(toggle.getAttribute('aria-checked')).resolves.toBe('false');
    await page.getByLabel('Time between incidents').selectOption('2h');
    const before = standin.docCount('logs-ml_demo.*');
    await toggle.click();
    await page.waitForFunction(() => document.querySelector('[data-test-subj="liveSwitch"]')?.getAttribute('aria-checked') === 'true');
    // The first round (run at once by Task Manager) catches up to now and starts the datafeeds in real time.
    let status: LiveStatus | undefined;
    for (let i = 0; i < 240 && !(status?.rounds && status.session); i++) {
      await new Promise((r) => setTimeout(r, 250));
      status = await api<LiveStatus>(`${ROUTES.live}?namespace=default`);
    }
    expect(status).toMatchObject({ on: true, incidentEvery: '2h', rounds: 1 });
    expect(status!.error).toBeUndefined();
    expect(standin.docCount('logs-ml_demo.*')).toBeGreaterThan(before);
    expect([...standin.state.datafeeds.values()].every((d) => d.state === 'started')).toBe(true);
    // A reload shows the session the task recorded.
    await page.reload();
    await page.getByTestId('liveStatus').waitFor();
    await page.waitForFunction(() => /^On: .*live documents/.test(document.querySelector('[data-test-subj="liveStatus"]')?.textContent ?? ''));
    await page.getByTestId('livePanel').scrollIntoViewIfNeeded();
    await shot('04b-live-on-light', { fullPage: false });
    // Off: the task is removed and the datafeeds stop.
    await page.getByTestId('liveSwitch').click();
    await page.waitForFunction(() => document.querySelector('[data-test-subj="liveSwitch"]')?.getAttribute('aria-checked') === 'false');
    await expect(page.getByTestId('liveStatus').textContent()).resolves.toMatch(/^Off\. Turning it on resumes/);
    expect((await api<LiveStatus>(`${ROUTES.live}?namespace=default`)).on).toBe(false);
    expect([...standin.state.datafeeds.values()].every((d) => d.state === 'stopped')).toBe(true);
    await page.evaluate(() => window.scrollTo(0, 0));
  });

  it('follows the theme to dark', async () => {
    await page.getByTestId('themeToggle').click();
    await page.waitForFunction(() => {
      const rgb = getComputedStyle(document.body).backgroundColor.match(/\d+/g)?.map(Number) ?? [255, 255, 255];
      return rgb[0] + rgb[1] + rgb[2] < 200;
    });
    await shot('05-results-dark');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('05-results-dark-top', { fullPage: false });
  });

  it('cleans up after a confirmation', async () => {
    const standin = host.standin!;
    expect(standin.docCount('logs-ml_demo.*')).toBeGreaterThan(0);
    await page.getByTestId('cleanupButton').first().click();
    const modal = page.getByRole('alertdialog', { name: 'Remove the demo data?' });
    await modal.waitFor();
    await expect(modal.textContent()).resolves.toContain('logs-ml_demo.*-default');
    await shot('06-cleanup-confirm-dark', { fullPage: false });
    await modal.getByText('Remove demo data').click();
    await page.getByText('Demo data removed').waitFor();
    await page.getByTestId('runPanel').waitFor({ state: 'detached' });
    expect(standin.docCount('logs-ml_demo.*')).toBe(0);
    expect([...standin.state.jobs.keys()]).toEqual([]);
    await shot('07-cleaned-dark', { fullPage: false });
  });

  it('names the missing privilege', async () => {
    const standin = host.standin!;
    const superuser = standin.privileges;
    standin.privileges = { username: 'demo', roles: ['viewer'], cluster: ['monitor'], index: [{ names: ['*'], privileges: ['read', 'view_index_metadata'] }] };
    try {
      await page.getByTestId('themeToggle').click();
      await page.getByTestId('generateButton').click();
      await page.getByTestId('privilegesCallout').waitFor();
      await page.getByTestId('privilegesCallout').scrollIntoViewIfNeeded();
      await expect(page.getByTestId('privilegesCallout').textContent()).resolves.toMatch(/privileges/);
      await shot('08-missing-privilege-light');
    } finally {
      standin.privileges = superuser;
    }
  });

  it('had no page errors and no contract violations', () => {
    expect(pageErrors).toEqual([]);
    expect(host.standin!.violations).toEqual([]);
  });
});
