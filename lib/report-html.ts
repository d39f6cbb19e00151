/**
 * `analyze --html`: the AnalyzeReport as one self-contained HTML page. Inline
 * CSS and SVG only: no script, no external URL (a Content-Security-Policy
 * meta tag forbids both), so the file opens anywhere, offline, and renders
 * the same everywhere. The output is a pure function of the report
 * (no clock, no locale), so it can be snapshot-tested.
 *
 * Sections: header (model, sha256, board, engine, tool version, verdict),
 * totals cards, warnings (fit problems, model problems), memory bars (arena,
 * RAM, flash against the board's limits, stacked by what uses them), the
 * arena timeline (x = operator index, y = arena offset, one rectangle per
 * planned buffer spanning its lifetime, tensor names as tooltips and labels),
 * per-layer cost (table with a bar per layer), notes.
 *
 * Every string that comes from the model or the command line (path, tensor and
 * operator names, problem messages) goes through `esc`.
 */
import { hintAlternatives, type AnalyzeReport, type Timeline, type TimelineBuffer } from './analyze.js';

/** Escapes text for HTML element content and quoted attribute values (also inside inline SVG). */
export function esc(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '\ufffd')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;')
  );
}

// ---- number formatting (fixed, locale-independent) ----

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

function count(n: number): string {
  if (n < 1e3) return String(Math.round(n));
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} k`;
  if (n < 1e9) return `${(n / 1e6).toFixed(2)} M`;
  return `${(n / 1e9).toFixed(2)} G`;
}

function ms(n: number): string {
  if (n >= 100) return n.toFixed(0);
  if (n >= 10) return n.toFixed(1);
  if (n >= 0.1) return n.toFixed(2);
  return n.toFixed(3);
}

function energy(uj: number): string {
  return uj >= 1000 ? `${(uj / 1000).toFixed(2)} mJ` : `${uj.toFixed(uj >= 100 ? 0 : 1)} µJ`;
}

/** Highest sustainable inference rate, Hz, to 3 significant digits. */
export function maxRate(latencyMs: number): string {
  return latencyMs > 0 ? String(Number((1000 / latencyMs).toPrecision(3))) : '∞';
}

function pct(f: number): string {
  if (!Number.isFinite(f)) return '∞ %';
  const p = f * 100;
  return `${p >= 10 ? p.toFixed(0) : p.toFixed(1)} %`;
}

function hz(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(n % 1e6 === 0 ? 0 : 1)} MHz` : `${(n / 1e3).toFixed(0)} kHz`;
}

/** Rounds SVG coordinates so the output is short and byte-stable. */
const r2 = (n: number) => String(Math.round(n * 100) / 100);

function basename(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, Math.max(1, max - 1))}…` : s;
}

// ---- colours ----

/** Buffer fills (Tableau 10, minus grey) with the text colour that reads on each. */
const PALETTE: readonly (readonly [fill: string, text: string])[] = [
  ['#4e79a7', '#fff'], ['#f28e2b', '#1f1f1f'], ['#59a14f', '#fff'], ['#e15759', '#fff'], ['#76b7b2', '#1f1f1f'],
  ['#edc948', '#1f1f1f'], ['#b07aa1', '#fff'], ['#ff9da7', '#1f1f1f'], ['#9c755f', '#fff'],
];
const SCRATCH: readonly [string, string] = ['#8d99ae', '#1f1f1f'];

const SEGMENT_COLOURS = {
  arena: '#4e79a7', persistent: '#76b7b2', engine: '#b07aa1', core: '#9aa5b1', stack: '#edc948', buffers: '#9c755f',
  model: '#59a14f', code: '#f28e2b',
} as const;

// ---- the page ----

export function renderReportHtml(r: AnalyzeReport): string {
  const title = `${r.model.path ? basename(r.model.path) : 'model'} on ${r.board.id}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="tinyforge ${esc(r.tool.version)}">`,
    `<title>${esc(title)} · tinyforge analyze</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    header(r),
    cards(r),
    warnings(r),
    section('memory', 'Memory', `Used against what ${esc(r.board.id)} allows (the toolchain's limits); the dashed line marks the limit.`, memoryBars(r)),
    section('timeline', 'Arena timeline', timelineCaption(r.timeline), timelineSvg(r.timeline)),
    section('layers', 'Per-layer cost', `Estimated cycles and time per operator on ${esc(r.board.name)} (${esc(r.board.core)} at ${hz(r.board.clockHz)}, ${esc(r.board.kernels)} instruction table, CPI ${r.board.cpi}).`, layersTable(r)),
    notes(r),
    `<footer>Generated by tinyforge ${esc(r.tool.version)} · ${r.calibrated ? 'calibrated estimate' : 'not calibrated: some figures are placeholders (see notes)'}</footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function section(id: string, heading: string, caption: string, body: string): string {
  return `<section id="sec-${id}">\n<h2>${heading}</h2>\n<p class="caption">${caption}</p>\n${body}\n</section>`;
}

function verdict(r: AnalyzeReport): { cls: string; text: string } {
  if (!r.supported && !r.fits) return { cls: 'bad', text: `✗ Unsupported model, and it does not fit ${esc(r.board.id)}` };
  if (!r.supported) return { cls: 'warn', text: `! Unsupported model: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} (memory figures are still estimated)` };
  if (!r.fits) return { cls: 'bad', text: `✗ Does not fit ${esc(r.board.id)}` };
  return { cls: 'ok', text: `✓ Fits ${esc(r.board.id)}` };
}

function header(r: AnalyzeReport): string {
  const v = verdict(r);
  const name = r.model.path ? basename(r.model.path) : '(model bytes)';
  const rows: [string, string][] = [
    ['model', `${esc(r.model.path ?? '(bytes)')} · ${bytes(r.model.bytes)} · ${r.model.operators} operators`],
    ['sha256', `<code>${esc(r.model.sha256)}</code>`],
    ['board', `${esc(r.board.name)} <span class="dim">(${esc(r.board.id)}: ${esc(r.board.mcu)}, ${esc(r.board.core)} at ${hz(r.board.clockHz)})</span>`],
    ['engine', r.engine === 'tflm' ? `tflm <span class="dim">(TensorFlow Lite Micro, ${esc(r.board.kernels)} kernels)</span>` : 'native <span class="dim">(tinyforge generated C, static plan)</span>'],
    ['tool', `tinyforge ${esc(r.tool.version)}`],
  ];
  return [
    '<header>',
    '<div class="brand">tinyforge analyze</div>',
    `<h1>${esc(name)}</h1>`,
    `<dl class="meta">${rows.map(([k, val]) => `<dt>${k}</dt><dd>${val}</dd>`).join('')}</dl>`,
    `<div class="verdict ${v.cls}">${v.text}</div>`,
    '</header>',
  ].join('\n');
}

function meter(used: number, limit: number): string {
  const f = limit > 0 ? used / limit : 1;
  const w = Math.min(100, f * 100);
  const cls = f > 1 ? 'over' : f > 0.85 ? 'high' : '';
  return `<div class="meter ${cls}"><div style="width:${r2(w)}%"></div></div>`;
}

function cards(r: AnalyzeReport): string {
  const L = r.board.limits;
  const c: string[] = [];
  const card = (label: string, value: string, sub: string, extra = '') => `<div class="card"><div class="label">${label}</div><div class="value">${value}</div>${extra}<div class="sub">${sub}</div></div>`;
  const arenaSub = `${pct(r.usage.arena)} of ${bytes(L.arenaBytes)} free for it${r.engine === 'tflm' ? `<br>kTensorArenaSize = ${r.arenaBytes}` : ''}`;
  c.push(card('Arena', bytes(r.arenaBytes), arenaSub, meter(r.arenaBytes, L.arenaBytes)));
  c.push(card('RAM', bytes(r.ramBytes), `${pct(r.usage.ram)} of ${bytes(L.ramBytes)}`, meter(r.ramBytes, L.ramBytes)));
  c.push(card('Flash', bytes(r.flashBytes), `${pct(r.usage.flash)} of ${bytes(L.flashBytes)}`, meter(r.flashBytes, L.flashBytes)));
  c.push(card('Latency', `${ms(r.latencyMs)} ms`, `${count(r.totals.cycles)} cycles · ${count(r.totals.macs)} MACs`));
  c.push(card('Energy', r.energyUj === null ? '–' : energy(r.energyUj), r.energyUj === null ? 'active power unknown' : 'per inference'));
  if (r.power) {
    const p = r.power;
    const life = p.batteryDays === null ? '' : ` · ${r.batteryMah} mAh: ${p.batteryDays >= 2 ? `${p.batteryDays.toFixed(1)} days` : `${(p.batteryHours ?? 0).toFixed(1)} h`}`;
    const duty = p.dutyCycle > 1 ? `<span class="bad">cannot keep up: at most ${maxRate(r.latencyMs)} Hz</span>` : `duty cycle ${pct(p.dutyCycle)}`;
    c.push(card(`At ${r.rateHz} Hz`, `${p.averageMw >= 10 ? p.averageMw.toFixed(1) : p.averageMw.toFixed(2)} mW`, `${duty}${life}`));
  }
  return `<section class="cards">\n${c.join('\n')}\n</section>`;
}

function warnings(r: AnalyzeReport): string {
  const items: string[] = [];
  for (const f of r.fitProblems) {
    const tries = hintAlternatives(f.hint).map((t) => `<li>${esc(t)}</li>`).join('');
    items.push(`<li class="bad"><strong>${f.memory === 'ram' ? 'RAM' : f.memory === 'flash' ? 'Flash' : 'Stack'} over by ${bytes(f.overBytes)}</strong>: ${esc(f.message.replace(/^\w+: /, ''))}<div class="tries">What to try:<ul>${tries}</ul></div></li>`);
  }
  for (const p of r.problems) {
    const where = [p.opIndex !== undefined ? `operator ${p.opIndex}${p.op ? ` (${p.op})` : ''}` : '', p.tensor !== undefined ? `tensor ${p.tensor}${p.tensorName !== undefined ? ` “${p.tensorName}”` : ''}` : '']
      .filter(Boolean)
      .join(', ');
    items.push(`<li class="warn"><strong>${esc(p.code)}</strong>: ${esc(p.message)}${where ? ` <span class="dim">(${esc(where)})</span>` : ''}${p.hint ? `<br><span class="hint">${esc(p.hint)}</span>` : ''}</li>`);
  }
  if (items.length === 0) return '';
  return `<section id="sec-problems">\n<h2>Problems</h2>\n<ul class="problems">\n${items.join('\n')}\n</ul>\n</section>`;
}

// ---- memory bars ----

interface Segment {
  key: keyof typeof SEGMENT_COLOURS;
  label: string;
  bytes: number;
}

function memoryBars(r: AnalyzeReport): string {
  const m = r.memory;
  const L = r.board.limits;
  const rows: { label: string; used: number; limit: number; segments: Segment[] }[] = [
    { label: 'Arena', used: r.arenaBytes, limit: L.arenaBytes, segments: [{ key: 'arena', label: 'arena', bytes: r.arenaBytes }] },
    {
      label: 'RAM',
      used: r.ramBytes,
      limit: L.ramBytes,
      segments: [
        { key: 'arena', label: 'arena', bytes: m.ram.arena },
        { key: 'persistent', label: 'variable tensors', bytes: m.ram.persistent },
        { key: 'engine', label: 'engine statics', bytes: m.ram.engineStatic },
        { key: 'stack', label: 'stack', bytes: m.ram.stack },
        { key: 'buffers', label: 'sensor buffers', bytes: m.ram.sensorBuffers },
        { key: 'core', label: 'Arduino core', bytes: m.ram.core },
      ],
    },
    {
      label: 'Flash',
      used: r.flashBytes,
      limit: L.flashBytes,
      segments: [
        { key: 'model', label: r.engine === 'tflm' ? 'model (.tflite)' : 'weights', bytes: m.flash.model },
        { key: 'code', label: 'engine code', bytes: m.flash.code },
        { key: 'core', label: 'Arduino core', bytes: m.flash.core },
      ],
    },
  ];
  const labelW = 64;
  const barW = 640;
  const valueW = 230;
  const rowH = 44;
  const barH = 22;
  const width = labelW + barW + valueW;
  const height = rows.length * rowH + 8;
  const out: string[] = [];
  out.push(`<svg id="memory-bars" class="chart" role="img" aria-label="Memory used against the board limits" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">`);
  out.push('<defs><pattern id="over" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="2.5" height="6" fill="#c8383b"/></pattern></defs>');
  rows.forEach((row, i) => {
    const y = 8 + i * rowH;
    const scale = Math.max(row.limit, row.used, 1);
    const px = (b: number) => (b / scale) * barW;
    out.push(`<g class="mem-row" data-row="${row.label.toLowerCase()}">`);
    out.push(`<text x="0" y="${y + barH / 2 + 5}" class="row-label">${row.label}</text>`);
    out.push(`<rect x="${labelW}" y="${y}" width="${barW}" height="${barH}" rx="3" class="track"/>`);
    let x = labelW;
    for (const s of row.segments) {
      if (s.bytes <= 0) continue;
      const w = px(s.bytes);
      out.push(`<rect x="${r2(x)}" y="${y}" width="${r2(Math.max(w, 1))}" height="${barH}" fill="${SEGMENT_COLOURS[s.key]}"><title>${esc(s.label)}: ${bytes(s.bytes)}</title></rect>`);
      x += w;
    }
    if (row.used > row.limit) {
      const lx = labelW + px(row.limit);
      out.push(`<rect x="${r2(lx)}" y="${y}" width="${r2(px(row.used - row.limit))}" height="${barH}" fill="url(#over)"><title>over the limit by ${bytes(row.used - row.limit)}</title></rect>`);
    }
    const lx = labelW + px(row.limit);
    out.push(`<line x1="${r2(lx)}" y1="${y - 4}" x2="${r2(lx)}" y2="${y + barH + 4}" class="limit"/>`);
    const over = row.used > row.limit;
    out.push(`<text x="${labelW + barW + 12}" y="${y + barH / 2 + 5}" class="row-value${over ? ' over' : ''}">${bytes(row.used)} / ${bytes(row.limit)} · ${pct(row.limit > 0 ? row.used / row.limit : Infinity)}</text>`);
    out.push('</g>');
  });
  out.push('</svg>');
  const used = new Map<string, string>();
  for (const row of rows) for (const s of row.segments) if (s.bytes > 0 && !used.has(s.label)) used.set(s.label, SEGMENT_COLOURS[s.key]);
  const legend = [...used].map(([label, colour]) => `<span><i style="background:${colour}"></i>${esc(label)}</span>`).join('');
  return `${out.join('\n')}\n<div class="legend">${legend}</div>`;
}

// ---- arena timeline ----

function timelineCaption(t: Timeline): string {
  const parts = [
    `x: operator (execution order); y: offset in the arena. One rectangle per planned buffer, from the operator that writes it to the last one that reads it; hover for the tensor names.`,
    `Plan: ${esc(t.source)}.`,
  ];
  if (t.lowerBound !== null) parts.push(t.lowerBound === t.planBytes ? 'The plan equals the lower bound (the most bytes ever live at once): it is optimal.' : `Lower bound ${bytes(t.lowerBound)}.`);
  return parts.join(' ');
}

/** Byte-axis tick step: the power of two that gives at most `n` steps (so ticks read 512 B, 1.0 KiB, 1.5 KiB...). */
function tickStep(max: number, n: number): number {
  return 2 ** Math.max(0, Math.ceil(Math.log2(Math.max(max, 1) / n)));
}

/** The label that fits `chars`: hierarchical names ("a/b/Relu6") keep their end, others their start. */
function bufferLabel(b: TimelineBuffer, chars: number): string {
  if (b.tensors.length === 0) return truncate(`scratch of op ${b.scratchOfOp ?? '?'}`, chars);
  const name = b.tensors[0]!.name || `tensor ${b.tensors[0]!.index}`;
  if (name.length <= chars || !name.includes('/')) return truncate(name, chars);
  return `…${name.slice(name.length - Math.max(1, chars - 1))}`;
}

/** Tick labels: whole KiB / MiB without a trailing ".0". */
function tickBytes(n: number): string {
  return bytes(n).replace(/\.0+ /, ' ');
}

function bufferTooltip(b: TimelineBuffer): string {
  const lines: string[] = [];
  if (b.tensors.length === 0) lines.push(`scratch buffer of operator ${b.scratchOfOp ?? '?'}`);
  for (const t of b.tensors) lines.push(`tensor ${t.index} “${t.name}”`);
  lines.push(`${bytes(b.size)} at offset ${b.offset}`);
  lines.push(b.firstOp === b.lastOp ? `live during operator ${b.firstOp}` : `live from operator ${b.firstOp} to ${b.lastOp}`);
  return lines.join('\n');
}

function timelineSvg(t: Timeline): string {
  const n = Math.max(1, t.operators.length);
  const colW = Math.max(6, Math.floor(900 / n));
  const plotW = colW * n;
  const plotH = 340;
  const left = 78;
  const right = 16;
  const top = 16;
  // Wide columns get horizontal labels (index, then op name); narrow ones a rotated "index OP".
  const horizontal = colW >= 56;
  const maxLabel = Math.min(22, Math.max(...t.operators.map((o) => String(o.index).length + 1 + o.op.length), 4));
  const bottom = horizontal ? 48 : 24 + Math.round(maxLabel * 5.4);
  const width = left + plotW + right;
  const height = top + plotH + bottom;
  const yMax = Math.max(t.arenaBytes, 1);
  const y = (off: number) => top + plotH - (off / yMax) * plotH;
  const out: string[] = [];
  out.push(`<div class="scroll"><svg id="timeline" class="chart" role="img" aria-label="Arena timeline: ${t.buffers.length} buffers over ${t.operators.length} operators" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">`);
  out.push('<defs><pattern id="reserved" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#eef1f5"/><rect width="3" height="8" fill="#c9d1db"/></pattern></defs>');
  // Column shading and operator labels.
  out.push('<g class="columns">');
  const labelEvery = Math.max(1, Math.ceil(12 / colW));
  t.operators.forEach((o, k) => {
    const x = left + k * colW;
    if (k % 2 === 1) out.push(`<rect x="${x}" y="${top}" width="${colW}" height="${plotH}" class="col-alt"/>`);
    if (horizontal) {
      const cx = r2(x + colW / 2);
      const chars = Math.floor((colW - 6) / 6.6);
      out.push(`<text x="${cx}" y="${top + plotH + 16}" text-anchor="middle" class="op-label"><tspan class="op-index">${o.index}</tspan><tspan x="${cx}" dy="14">${esc(truncate(o.op, chars))}</tspan><title>operator ${o.index}: ${esc(o.op)}</title></text>`);
    } else if (k % labelEvery === 0) {
      const lx = x + colW / 2 + 3;
      const ly = top + plotH + 8;
      out.push(`<text x="${r2(lx)}" y="${ly}" transform="rotate(-55 ${r2(lx)} ${ly})" text-anchor="end" class="op-label">${o.index} ${esc(truncate(o.op, 20))}<title>operator ${o.index}: ${esc(o.op)}</title></text>`);
    }
  });
  out.push('</g>');
  // Y axis: gridlines and byte ticks.
  out.push('<g class="y-axis">');
  const step = tickStep(yMax, 6);
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    const yy = r2(y(v));
    out.push(`<line x1="${left}" y1="${yy}" x2="${left + plotW}" y2="${yy}" class="grid"/>`);
    out.push(`<text x="${left - 8}" y="${r2(y(v) + 4)}" class="tick" text-anchor="end">${tickBytes(Math.round(v))}</text>`);
  }
  out.push(`<line x1="${left}" y1="${r2(y(yMax))}" x2="${left + plotW}" y2="${r2(y(yMax))}" class="arena-top"/>`);
  out.push(`<text x="${left + plotW}" y="${r2(y(yMax) - 3)}" class="tick" text-anchor="end">arena ${bytes(t.arenaBytes)}</text>`);
  out.push(`<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" class="axis-title" text-anchor="middle">arena offset</text>`);
  out.push('</g>');
  // Reserved regions (TFLM's persistent tail).
  for (const reg of t.reserved) {
    const h = Math.max(1.5, y(reg.offset) - y(reg.offset + reg.size));
    const y0 = y(reg.offset) - h;
    out.push(`<g class="reserved"><rect x="${left}" y="${r2(y0)}" width="${plotW}" height="${r2(h)}" fill="url(#reserved)"><title>${esc(reg.label)}: ${bytes(reg.size)} at offset ${reg.offset}</title></rect>`);
    if (h >= 14) out.push(`<text x="${left + 6}" y="${r2(y0 + Math.min(h / 2 + 4, 16))}" class="reserved-label">${esc(truncate(reg.label, Math.floor((plotW - 12) / 6.4)))} · ${bytes(reg.size)}</text>`);
    out.push('</g>');
  }
  // Buffers.
  out.push('<g class="buffers">');
  t.buffers.forEach((b, i) => {
    const [fill, ink] = b.tensors.length === 0 ? SCRATCH : PALETTE[i % PALETTE.length]!;
    const x = left + b.firstOp * colW;
    const w = (b.lastOp - b.firstOp + 1) * colW;
    const h = Math.max(1.5, y(b.offset) - y(b.offset + b.size));
    const yTop = y(b.offset) - h;
    const tensors = b.tensors.map((tt) => tt.index).join(' ');
    const scratch = b.tensors.length === 0 ? ' scratch' : '';
    out.push(
      `<g class="buffer${scratch}"><rect class="buf" x="${r2(x + 0.5)}" y="${r2(yTop)}" width="${r2(w - 1)}" height="${r2(h)}" rx="2" fill="${fill}" data-tensors="${tensors}" data-offset="${b.offset}" data-size="${b.size}"><title>${esc(bufferTooltip(b))}</title></rect>`,
    );
    const chars = Math.floor((w - 8) / 6.4);
    if (h >= 15 && chars >= 3) {
      const label = bufferLabel(b, chars);
      const sizeLine = h >= 30 && chars >= 6 ? `<tspan x="${r2(x + 5)}" dy="13" class="buf-size">${bytes(b.size)}</tspan>` : '';
      const ty = sizeLine ? yTop + h / 2 - 2 : yTop + h / 2 + 4;
      out.push(`<text x="${r2(x + 5)}" y="${r2(ty)}" class="buf-label" fill="${ink}">${esc(label)}${sizeLine}</text>`);
    }
    out.push('</g>');
  });
  out.push('</g>');
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" class="frame"/>`);
  out.push('</svg></div>');
  const legend = [`<span><i style="background:linear-gradient(90deg,${PALETTE.slice(0, 4).map(([f]) => f).join(',')})"></i>tensor buffers (${t.buffers.filter((b) => b.tensors.length > 0).length})</span>`];
  const scratch = t.buffers.filter((b) => b.tensors.length === 0).length;
  if (scratch > 0) legend.push(`<span><i class="scratch-key" style="background:${SCRATCH[0]}"></i>kernel scratch buffers (${scratch})</span>`);
  if (t.reserved.length > 0) legend.push('<span><i class="reserved-key"></i>reserved for the whole run</span>');
  out.push(`<div class="legend">${legend.join('')}</div>`);
  return out.join('\n');
}

// ---- per-layer table ----

function layersTable(r: AnalyzeReport): string {
  const maxMs = Math.max(0, ...r.layers.map((l) => l.ms));
  const total = r.latencyMs;
  const rows = r.layers.map((l) => {
    const w = maxMs > 0 ? (l.ms / maxMs) * 100 : 0;
    const share = total > 0 ? l.ms / total : 0;
    return `<tr><td class="num">${l.index}</td><td class="op">${esc(l.op)}</td><td class="num">${count(l.macs)}</td><td class="num">${count(l.params)}</td><td class="num">${bytes(l.activationBytes)}</td><td class="num">${count(l.cycles)}</td><td class="num">${ms(l.ms)}</td><td class="bar"><div class="cost"><div style="width:${r2(w)}%"></div></div><span>${pct(share)}</span></td></tr>`;
  });
  const head = '<tr><th class="num">#</th><th>op</th><th class="num">MACs</th><th class="num">params</th><th class="num">activations</th><th class="num">est. cycles</th><th class="num">ms</th><th>share of latency</th></tr>';
  const foot = `<tr><td></td><td>total</td><td class="num">${count(r.totals.macs)}</td><td class="num">${count(r.layers.reduce((s, l) => s + l.params, 0))}</td><td></td><td class="num">${count(r.totals.cycles)}</td><td class="num">${ms(r.latencyMs)}</td><td></td></tr>`;
  return `<table id="layer-table">\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n<tfoot>${foot}</tfoot>\n</table>`;
}

function notes(r: AnalyzeReport): string {
  if (r.notes.length === 0) return '';
  return `<section id="sec-notes">\n<h2>Notes</h2>\n<ul class="notes">\n${r.notes.map((n) => `<li>${esc(n)}</li>`).join('\n')}\n</ul>\n</section>`;
}

const CSS = `
:root { color-scheme: light; --ink: #1d2433; --dim: #5b6678; --line: #dfe4ea; --bg: #f6f7f9; --card: #fff; --ok: #2f8f46; --bad: #c8383b; --warn: #b7791f; --accent: #4e79a7; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 40px; }
header { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 18px 22px; }
.brand { font-size: 12px; letter-spacing: .08em; text-transform: uppercase; color: var(--accent); font-weight: 600; }
h1 { margin: 2px 0 10px; font-size: 24px; word-break: break-all; }
h2 { margin: 0 0 4px; font-size: 17px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 0 0 12px; }
dl.meta dt { color: var(--dim); }
dl.meta dd { margin: 0; word-break: break-all; }
code { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
.dim { color: var(--dim); }
.verdict { display: inline-block; padding: 5px 12px; border-radius: 999px; font-weight: 600; }
.verdict.ok { background: #e3f4e7; color: var(--ok); }
.verdict.bad { background: #fbe4e4; color: var(--bad); }
.verdict.warn { background: #fdf1dc; color: var(--warn); }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 22px; margin-top: 16px; }
section.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; background: none; border: 0; padding: 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card .label { color: var(--dim); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 22px; font-weight: 650; margin: 2px 0 4px; }
.card .sub { color: var(--dim); font-size: 12px; }
.card .sub .bad { color: var(--bad); font-weight: 600; }
.meter { height: 6px; background: #e8ecf1; border-radius: 3px; overflow: hidden; margin-bottom: 5px; }
.meter > div { height: 100%; background: var(--ok); }
.meter.high > div { background: var(--warn); }
.meter.over > div { background: var(--bad); }
.caption { color: var(--dim); margin: 0 0 12px; max-width: 900px; }
ul.problems { margin: 6px 0 0; padding-left: 20px; }
ul.problems li { margin: 6px 0; }
ul.problems li.bad strong { color: var(--bad); }
ul.problems li.warn strong { color: var(--warn); }
.hint { color: var(--dim); }
.hint::before { content: "hint: "; font-weight: 600; }
.tries { color: var(--dim); margin-top: 2px; }
.tries ul { margin: 2px 0 0; padding-left: 18px; }
svg.chart { display: block; max-width: 100%; height: auto; font: 12px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
.scroll { overflow-x: auto; }
.track { fill: #eef1f5; }
.limit { stroke: var(--ink); stroke-width: 1.5; stroke-dasharray: 4 3; }
.row-label { font-weight: 600; fill: var(--ink); font-size: 13px; }
.row-value { fill: var(--ink); }
.row-value.over { fill: var(--bad); font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; color: var(--dim); font-size: 12px; margin-top: 6px; }
.legend i { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.legend i.scratch-key { outline: 1px dashed #5b6678; outline-offset: -1px; }
.legend i.reserved-key { background: repeating-linear-gradient(45deg, #c9d1db 0 3px, #eef1f5 3px 8px); }
.col-alt { fill: #f7f8fa; }
.grid { stroke: #e6e9ee; stroke-width: 1; }
.arena-top { stroke: var(--ink); stroke-width: 1; stroke-dasharray: 5 3; }
.frame { fill: none; stroke: #c5ccd6; stroke-width: 1; }
.tick { fill: var(--dim); font-size: 11px; }
.axis-title { fill: var(--dim); font-size: 12px; }
.op-label { fill: var(--dim); font-size: 11px; }
.op-index { fill: var(--ink); font-weight: 600; }
.buf { stroke: #fff; stroke-width: 1; }
.buffer.scratch .buf { stroke: #5b6678; stroke-dasharray: 3 2; }
.buffer:hover .buf { stroke: var(--ink); stroke-width: 2; }
.buf-label { font-size: 11px; font-weight: 600; pointer-events: none; }
.buf-size { font-weight: 400; opacity: .85; }
.reserved-label { fill: var(--dim); font-size: 11px; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { color: var(--dim); font-weight: 600; font-size: 12px; }
td.num, th.num { text-align: right; }
td.op { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; max-width: 260px; overflow: hidden; text-overflow: ellipsis; }
td.bar { width: 34%; }
td.bar span { color: var(--dim); font-size: 12px; margin-left: 8px; }
.cost { display: inline-block; vertical-align: middle; width: calc(100% - 64px); height: 10px; background: #eef1f5; border-radius: 3px; overflow: hidden; }
.cost > div { height: 100%; background: var(--accent); }
tfoot td { font-weight: 650; border-bottom: 0; }
ul.notes { margin: 6px 0 0; padding-left: 20px; color: var(--dim); }
footer { color: var(--dim); font-size: 12px; text-align: center; margin-top: 20px; }
`.trim();
