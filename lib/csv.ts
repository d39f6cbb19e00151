/**
 * Sensor recordings as CSV (simulate --csv, and the emulated board's replay):
 * one sample per row. An optional header names the columns; channels are then
 * picked by name (ax/aX/accX..., see COLUMN_ALIASES), else the first columns are
 * taken in channel order. Values are in the units the Arduino libraries report
 * (IMU: g, deg/s, uT; ADC: raw counts) and become the HAL's int16 units exactly
 * as the board's HAL converts them: round half away from zero of the float32
 * product value x factor (mg, 0.1 deg/s, 0.1 uT), saturated to int16.
 */
import { PipelineError } from './errors.js';

/** Header spellings accepted per channel (lower-cased, non-letters removed). */
const COLUMN_ALIASES: Record<string, string[]> = {
  ax: ['ax', 'accx', 'accelx', 'accelerationx'],
  ay: ['ay', 'accy', 'accely', 'accelerationy'],
  az: ['az', 'accz', 'accelz', 'accelerationz'],
  gx: ['gx', 'gyrx', 'gyrox', 'gyroscopex'],
  gy: ['gy', 'gyry', 'gyroy', 'gyroscopey'],
  gz: ['gz', 'gyrz', 'gyroz', 'gyroscopez'],
  mx: ['mx', 'magx'],
  my: ['my', 'magy'],
  mz: ['mz', 'magz'],
};

/** HAL units per library unit of each channel kind (tf_sensor.h). */
export function halFactor(channel: string): number {
  if (/^a[xyz]$/.test(channel)) return 1000;
  if (/^[gm][xyz]$/.test(channel)) return 10;
  return 1;
}

/** float32 x * factor, rounded half away from zero (lroundf), saturated to int16: what the HAL does. */
export function toHalUnits(x: number, factor: number): number {
  const p = Math.fround(Math.fround(x) * Math.fround(factor));
  const r = p < 0 ? -Math.round(-p) : Math.round(p);
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

const MAX_ROWS = 10_000_000;

/** Parses a CSV recording into interleaved int16 samples of `channels` (names as in tinyforge.json, e.g. ax ay az or A0). */
export function readCsvRecording(text: string, channels: readonly string[], file = 'recording'): Int16Array {
  const lines = text.split(/\r?\n/);
  const rows: string[][] = [];
  for (const line of lines) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    rows.push(t.split(/[,;\t]/).map((c) => c.trim()));
    if (rows.length > MAX_ROWS) throw new PipelineError('csv-size', `${file} has more than ${MAX_ROWS} rows`, 'split the recording');
  }
  if (rows.length === 0) throw new PipelineError('csv-empty', `${file} has no rows`, 'give one sample per row, comma separated');
  let columns: number[] = channels.map((_, i) => i);
  const numeric = (s: string) => s !== '' && Number.isFinite(Number(s));
  if (!rows[0]!.every(numeric)) {
    const header = rows.shift()!.map((h) => h.toLowerCase().replace(/[^a-z0-9]/g, ''));
    columns = channels.map((ch) => {
      const names = COLUMN_ALIASES[ch] ?? [ch.toLowerCase()];
      const at = header.findIndex((h) => names.includes(h));
      if (at < 0) throw new PipelineError('csv-column', `${file}: no column for channel ${ch} in the header (${header.join(', ')})`, `name the column ${names[0]}, or drop the header to take columns in channel order`);
      return at;
    });
  }
  const out = new Int16Array(rows.length * channels.length);
  rows.forEach((row, r) => {
    columns.forEach((col, c) => {
      const cell = row[col];
      if (cell === undefined || !numeric(cell)) {
        throw new PipelineError('csv-value', `${file}: row ${r + 1}, column ${col + 1} is ${cell === undefined ? 'missing' : JSON.stringify(cell.slice(0, 20))}, not a number`, 'every row needs a number for each channel');
      }
      out[r * channels.length + c] = toHalUnits(Number(cell), halFactor(channels[c]!));
    });
  });
  return out;
}
