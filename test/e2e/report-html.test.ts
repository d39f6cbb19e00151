/**
 * The HTML report as a browser shows it: rendered by headless Chromium
 * (Debian's `chromium` package, driven by playwright-core), with the network
 * cut off, then measured and photographed. Checks that the picture is there
 * (one timeline rectangle per planned buffer, each with a non-zero size on
 * screen, coloured pixels inside the timeline), that nothing is fetched and
 * no script runs, and that hostile tensor names show up as text.
 *
 * Needs /usr/bin/chromium (or TINYFORGE_CHROMIUM=path). Without it the suite
 * skips and says how to install it; with CI set it fails instead.
 * TINYFORGE_SCREENSHOT_DIR=dir keeps the screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { analyzeModel, type AnalyzeReport } from '../../lib/analyze.js';
import { renderReportHtml } from '../../lib/report-html.js';
import { loadModel, parseModel } from '../../lib/load.js';
import { decodePng, pixel, type Image } from './png.js';
import { EXAMPLE, HOSTILE_TENSOR, hostileNameModel } from '../fixtures/analyze-models.js';

const CHROMIUM = process.env.TINYFORGE_CHROMIUM ?? '/usr/bin/chromium';
const INSTALL = `install it with \`sudo apt-get install -y chromium\` (Debian/Ubuntu), or point TINYFORGE_CHROMIUM at a Chromium binary`;
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}: CI must have it (.ci/run installs Debian's chromium); ${INSTALL}`);
if (!haveChromium) process.stderr.write(`test/e2e/report-html.test.ts: skipped, no Chromium at ${CHROMIUM}; ${INSTALL}\n`);

const BOARD = 'nano33ble-sense-rev2';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Near-white counts as background (page, cards, the plot's column shading). */
const isBackground = ([r, g, b]: [number, number, number]) => r >= 240 && g >= 240 && b >= 240;

interface Rendered {
  image: Image;
  /** Timeline SVG box (page CSS px). */
  svg: { x: number; y: number; width: number; height: number };
  /** One box per rect.buf, in document order. */
  rects: { x: number; y: number; width: number; height: number; tensors: string; title: string }[];
  scripts: number;
  requests: string[];
  dialogs: number;
}

describe.skipIf(!haveChromium)(`HTML report in headless Chromium${haveChromium ? '' : ` (skipped: no Chromium at ${CHROMIUM}; ${INSTALL})`}`, () => {
  let context: BrowserContext;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tinyforge-e2e-'));
    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1200, height: 900 },
      deviceScaleFactor: 1,
    });
  });

  afterAll(async () => {
    await context?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function render(name: string, report: AnalyzeReport): Promise<Rendered> {
    const file = join(work, `${name}.html`);
    writeFileSync(file, renderReportHtml(report));
    const page = await context.newPage();
    const requests: string[] = [];
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const png = await page.screenshot({ fullPage: true });
    // Runs in the page (the project's tsconfig has no DOM lib, hence `any`).
    const measured: Pick<Rendered, 'svg' | 'rects' | 'scripts'> = await page.evaluate(() => {
      const w = globalThis as any;
      const doc = w.document;
      const box = (e: any) => {
        const r = e.getBoundingClientRect();
        return { x: r.x + w.scrollX, y: r.y + w.scrollY, width: r.width, height: r.height };
      };
      return {
        svg: box(doc.querySelector('svg#timeline')),
        rects: [...doc.querySelectorAll('svg#timeline rect.buf')].map((e: any) => ({ ...box(e), tensors: e.getAttribute('data-tensors') ?? '', title: e.querySelector('title')?.textContent ?? '' })),
        scripts: doc.querySelectorAll('script').length,
      };
    });
    if (process.env.TINYFORGE_SCREENSHOT_DIR) {
      mkdirSync(process.env.TINYFORGE_SCREENSHOT_DIR, { recursive: true });
      writeFileSync(join(process.env.TINYFORGE_SCREENSHOT_DIR, `${name}.png`), png);
    }
    await page.close();
    return { image: decodePng(new Uint8Array(png)), ...measured, requests, dialogs };
  }

  function expectTimelinePicture(report: AnalyzeReport, r: Rendered): void {
    expect(r.requests).toEqual([]);
    expect(r.scripts).toBe(0);
    expect(r.dialogs).toBe(0);
    // One rectangle per planned buffer, each visible, inside the SVG.
    expect(r.rects).toHaveLength(report.timeline.buffers.length);
    expect(r.svg.width).toBeGreaterThan(300);
    expect(r.svg.height).toBeGreaterThan(200);
    for (const rect of r.rects) {
      expect(rect.width, rect.title).toBeGreaterThan(0);
      expect(rect.height, rect.title).toBeGreaterThan(0);
      expect(rect.x).toBeGreaterThanOrEqual(r.svg.x - 0.5);
      expect(rect.y).toBeGreaterThanOrEqual(r.svg.y - 0.5);
      expect(rect.x + rect.width).toBeLessThanOrEqual(r.svg.x + r.svg.width + 0.5);
      expect(rect.y + rect.height).toBeLessThanOrEqual(r.svg.y + r.svg.height + 0.5);
    }
    // Rectangles sit where the plan puts them: lower offsets lower on screen, later operators further right.
    const byBuffer = report.timeline.buffers.map((b, i) => ({ b, rect: r.rects[i]! }));
    for (const { b, rect } of byBuffer) expect(rect.tensors).toBe(b.tensors.map((t) => t.index).join(' '));
    const bottoms = byBuffer.filter(({ b }) => b.offset === 0).map(({ rect }) => rect.y + rect.height);
    for (const y of bottoms) expect(y).toBeCloseTo(bottoms[0]!, 0);
    const firstCol = byBuffer.filter(({ b }) => b.firstOp === 0).map(({ rect }) => rect.x);
    const laterCol = byBuffer.filter(({ b }) => b.firstOp > 0).map(({ rect }) => rect.x);
    if (firstCol.length && laterCol.length) expect(Math.min(...laterCol)).toBeGreaterThan(Math.max(...firstCol));
    // The screenshot has the picture: every sizeable rectangle's centre is painted, and the plot is far from blank.
    for (const rect of r.rects) {
      if (rect.width < 4 || rect.height < 4) continue;
      expect(isBackground(pixel(r.image, rect.x + rect.width / 2, rect.y + rect.height / 2)), `centre of ${rect.title}`).toBe(false);
    }
    let painted = 0;
    let total = 0;
    for (let y = Math.ceil(r.svg.y); y < r.svg.y + r.svg.height - 1; y += 2) {
      for (let x = Math.ceil(r.svg.x); x < r.svg.x + r.svg.width - 1; x += 2) {
        total++;
        if (!isBackground(pixel(r.image, x, y))) painted++;
      }
    }
    expect(painted / total).toBeGreaterThan(0.1);
  }

  it('native engine on the example model: timeline, memory bars and layer bars are drawn', async () => {
    const report = await analyzeModel(await loadModel(EXAMPLE), BOARD, { rateHz: 10, batteryMah: 500 });
    const r = await render('example-native', report);
    expectTimelinePicture(report, r);
  });

  it('tflm engine on the example model: the plan and the persistent tail', async () => {
    const report = await analyzeModel(await loadModel(EXAMPLE), BOARD, { engine: 'tflm' });
    const r = await render('example-tflm', report);
    expectTimelinePicture(report, r);
  });

  it('hostile tensor names are text: no script, no dialog, the tooltip reads the name', async () => {
    const report = await analyzeModel(parseModel(hostileNameModel(), 'hostile.tflite'), BOARD);
    const r = await render('hostile', report);
    expectTimelinePicture(report, r);
    const conv = r.rects.find((x) => x.tensors.split(' ').includes('3'))!;
    expect(conv.title).toContain(`tensor 3 “${HOSTILE_TENSOR.replace('\u0001', '\ufffd')}”`);
  });
});
