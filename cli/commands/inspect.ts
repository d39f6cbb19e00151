/** `tinyforge inspect MODEL [--json]`. */
import { loadModel } from '../../lib/load.js';
import { inspectModel, type InspectReport, type InspectTensor } from '../../lib/inspect.js';
import { formatProblem } from '../../lib/errors.js';
import { bytes, color, count, safeText, shape, table } from '../format.js';

export default async function inspect(path: string, opts: { json?: boolean }): Promise<number> {
  const model = await loadModel(path);
  const report = await inspectModel(model);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`${render(report)}\n`);
  }
  return report.problems.length === 0 ? 0 : 2;
}

function quant(t: InspectTensor): string {
  const q = t.quantization;
  if (!q) return '-';
  if (q.kind === 'per-tensor') return `${q.scale.toPrecision(6)} / ${q.zeroPoint}`;
  return `per-channel x${q.count} (axis ${q.axis}) ${q.scaleMin.toPrecision(3)}..${q.scaleMax.toPrecision(3)}`;
}

function render(r: InspectReport): string {
  const out: string[] = [];
  out.push(color.bold(`${safeText(r.model.path ?? '<bytes>', 120)}`) + `  ${bytes(r.model.bytes)}  sha256 ${r.model.sha256.slice(0, 16)}…`);
  const io = (ts: InspectTensor[]) => ts.map((t) => `${safeText(t.name, 32)} ${t.dtype}${shape(t.shape)} ${quant(t)}`).join('; ');
  out.push(`inputs:  ${io(r.inputs)}`);
  out.push(`outputs: ${io(r.outputs)}`);
  out.push('');
  out.push(color.bold('Operators'));
  out.push(
    table(
      ['#', 'op', 'v', 'inputs', 'outputs', 'MACs'],
      r.operators.map((o) => [
        o.index,
        safeText(o.op, 40),
        o.version,
        o.inputs.map((t) => (t ? `${t.dtype}${shape(t.shape)}` : '-')).join(' '),
        o.outputs.map((t) => `${t.dtype}${shape(t.shape)}`).join(' '),
        count(o.macs),
      ]),
      ['r', 'l', 'r', 'l', 'l', 'r'],
    ),
  );
  out.push('');
  out.push(color.bold('Tensors'));
  out.push(
    table(
      ['#', 'name', 'kind', 'dtype', 'shape', 'scale / zero point', 'bytes'],
      r.tensors.map((t) => [t.index, safeText(t.name), t.kind, t.dtype, shape(t.shape), quant(t), t.bytes]),
      ['r', 'l', 'l', 'l', 'l', 'l', 'r'],
    ),
  );
  out.push('');
  const tt = r.totals;
  out.push(color.bold('Totals'));
  out.push(`  operators ${tt.operators} (${Object.entries(tt.opKinds).map(([k, v]) => `${k} x${v}`).join(', ')})`);
  out.push(`  parameters ${count(tt.parameters)}, weights ${bytes(tt.weightBytes)}, MACs ${count(tt.macs)} per inference`);
  out.push(`  peak activations ≥ ${bytes(tt.peakActivationBytes)} (live tensors, before planner overhead)`);
  out.push('');
  if (r.problems.length === 0) {
    out.push(color.green('✓ supported: the simulator can run every operator of this model'));
  } else {
    out.push(color.red(color.bold(`✗ ${r.problems.length} problem(s):`)));
    for (const p of r.problems) out.push(formatProblem(p));
  }
  return out.join('\n');
}
