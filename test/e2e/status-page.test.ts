/**
 * The status page in a real headless browser (Debian's Chromium driven by
 * playwright-core) against the real dev runner: a spec is dropped while the
 * page is open, its first task's agent waits for a marker file, the page shows
 * that task in progress, the marker is created, and the same page (no reload,
 * no navigation) shows both tasks completed. Saves a screenshot to
 * test-artifacts/status-page.png. And the page keeps updating by polling
 * when its event stream cannot connect.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startGateway } from '../../shared/dispatch/gateway.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { createStatusApi } from '../../shared/status/index.ts';
import { ROOT } from '../helpers/cli-process.ts';
import { scriptAgent, startWorld, type World } from '../helpers/pipeline-world.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');

let world: World | undefined;
let browser: Browser | undefined;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await browser?.close().catch(() => undefined);
  browser = undefined;
  await world?.close();
  world = undefined;
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`this test needs Chromium at ${CHROMIUM} (Debian: apt-get install chromium); it is not installed, so the status page was not tested`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}

it('shows a task going from in-progress to completed live, without reloading the page', { timeout: 120_000 }, async () => {
  world = await startWorld();
  browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const failedRequests: string[] = [];
  page.on('requestfailed', (r) => {
    // The event stream is cut when the runner stops; anything else failing is a bug.
    if (!r.url().includes('/api/stream')) failedRequests.push(`${r.url()} ${r.failure()?.errorText ?? ''}`);
  });
  let loads = 0;
  page.on('load', () => (loads += 1));
  const url = `http://127.0.0.1:${world.dev.port}/`;

  try {
    await page.goto(url);
    await page.waitForSelector('#conn[data-mode="live"]', { timeout: 10_000 });
    // Gone if the page were ever loaded again.
    await page.evaluate(() => ((window as unknown as { sameDocument: string }).sameDocument = 'still here'));

    const marker = join(world.dir, 'go-ahead');
    await world.drop({
      id: 'live',
      title: 'Live status',
      repo: { path: world.repo, base: 'main' },
      agent: scriptAgent({ writes: { 'after.txt': 'after\n' } }),
      tasks: [
        { id: 'write', title: 'Write live', files: ['live.txt'], agent: scriptAgent({ waitFor: marker, writes: { 'live.txt': 'live\n' } }) },
        { id: 'after', title: 'Write after', files: ['after.txt'], dependsOn: ['write'] },
      ],
    });

    // The spec appears through the event stream; select it.
    await page.click('a.spec[data-spec="live"]', { timeout: 15_000 });
    await page.waitForSelector('tr.task[data-task="write"][data-status="in-progress"]', { timeout: 30_000 });
    expect(await page.textContent('tr.task[data-task="write"] [data-col="state"]')).toBe('in-progress');
    expect(await page.getAttribute('tr.task[data-task="after"]', 'data-status')).toBe('pending');
    // The graph: two boxes in two layers, one edge, coloured by state.
    expect(await page.getAttribute('svg#graph g.node[data-task="write"]', 'data-status')).toBe('in-progress');
    expect(await page.locator('svg#graph line.edge[data-from="write"][data-to="after"]').count()).toBe(1);
    const [xWrite, xAfter] = await Promise.all(['write', 'after'].map((t) => page.locator(`svg#graph g.node[data-task="${t}"]`).boundingBox()));
    expect(xAfter!.x).toBeGreaterThan(xWrite!.x + xWrite!.width);
    expect(await page.getAttribute('tr.attempt[data-task="write"][data-attempt="1"]', 'data-status')).toBe('running');
    await screenshot(page, 'status-page-in-progress.png');

    await writeFile(marker, 'go');
    await page.waitForSelector('tr.task[data-task="write"][data-status="completed"]', { timeout: 60_000 });
    await page.waitForSelector('tr.task[data-task="after"][data-status="completed"]', { timeout: 60_000 });
    await page.waitForSelector('.head[data-spec="live"][data-status="completed"]', { timeout: 30_000 });
    expect(await page.getAttribute('svg#graph g.node[data-task="write"]', 'data-status')).toBe('completed');
    expect(await page.textContent('tr.task[data-task="write"] [data-col="attempt"]')).toBe('1');
    expect(await page.textContent('tr.task[data-task="write"] [data-col="duration"]')).toMatch(/\d/);
    const logHref = await page.getAttribute('tr.attempt[data-task="write"][data-attempt="1"] a', 'href');
    expect(logHref).toBe('/api/specs/live/tasks/write/attempts/1/log?format=text');
    const logText = await (await page.request.get(new URL(logHref!, url).toString())).text();
    expect(logText).toContain('agent: wrote 1 file(s) for write attempt 1');
    await page.waitForSelector('a.spec[data-spec="live"][data-status="completed"]', { timeout: 10_000 });

    // The same document all along: no reload, no navigation away.
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: string }).sameDocument)).toBe('still here');
    expect(loads).toBe(1);
    expect(page.url().split('#')[0]).toBe(url);
    expect(failedRequests).toEqual([]);
    await screenshot(page, 'status-page.png');
  } catch (err) {
    await screenshot(page, 'status-page-failure.png').catch(() => undefined);
    throw err;
  }
});

it('falls back to polling when the event stream cannot connect, and still shows a new spec', { timeout: 60_000 }, async () => {
  const specsDir = await mkdtemp(join(tmpdir(), 'ns-status-page-'));
  cleanups.push(() => rm(specsDir, { recursive: true, force: true }));
  await mkdir(join(specsDir, 'active'));
  const log = createLogger({ name: 'status-page-test', level: 'silent' });
  const api = createStatusApi({ specsDir, log });
  const gateway = await startGateway({ port: 0, log, names: [], target: async () => undefined, api: api.handle });
  cleanups.push(() => gateway.close());
  browser = await launch();
  const page = await browser.newPage();
  let streamTries = 0;
  await page.route('**/api/stream*', (route) => {
    streamTries += 1;
    return route.abort('connectionrefused');
  });
  await page.goto(`http://127.0.0.1:${gateway.port}/`);
  await page.waitForSelector('#conn[data-mode="polling"]', { timeout: 10_000 });
  expect(streamTries).toBeGreaterThan(0);
  await writeFile(
    join(specsDir, 'active', 'polled.yaml'),
    stringify({ id: 'polled', title: 'Seen by polling', repo: { path: '.' }, tasks: [{ id: 't', title: 'T' }] }),
  );
  await page.waitForSelector('a.spec[data-spec="polled"][data-status="pending"]', { timeout: 10_000 });
  await page.click('a.spec[data-spec="polled"]');
  await page.waitForSelector('tr.task[data-task="t"][data-status="pending"]', { timeout: 10_000 });
  expect(await page.textContent('#detail .note')).toContain('No database here');
});
