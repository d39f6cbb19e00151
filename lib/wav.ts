/**
 * WAV reader for microphone recordings (simulate --wav): RIFF/WAVE files with
 * PCM or IEEE-float samples become the int16 mono stream the microphone HAL
 * delivers.
 *
 * Accepted: format 1 (PCM, 8/16/24/32-bit), 3 (IEEE float, 32/64-bit) and
 * 0xFFFE (WAVE_FORMAT_EXTENSIBLE with a PCM or float sub-format), any number
 * of channels, any sample rate (reported, never resampled). Conversion to
 * int16, per sample:
 *   8-bit (unsigned)   (u - 128) * 256                                   exact
 *   16-bit             as is
 *   24-bit             round(v / 256), ties toward +inf, saturated to 32767
 *   32-bit int         round(v / 65536), ties toward +inf, saturated to 32767
 *   float              round(x * 32768), ties away from zero, saturated to
 *                      [-32768, 32767]; NaN reads as 0 (x * 32768 inverts the
 *                      usual int16 -> float scaling, e.g. TensorFlow's decode_wav)
 * Several channels: channel 0 (the left one) is used, the others ignored; a
 * downmix would change the level and clip differently from what one
 * microphone delivers.
 *
 * Every chunk size is checked against the file length: a malformed,
 * truncated or unsupported file is a PipelineError naming the problem and a
 * fix, never a crash or a hang. One leniency: a data chunk whose size is
 * 0xFFFFFFFF (the "unknown length" some streaming recorders leave) extends to
 * the end of the file.
 */
import { PipelineError } from './errors.js';

export interface WavAudio {
  sampleRate: number;
  /** Channels in the file (only channel 0 is in `samples`). */
  channels: number;
  /** Bits per sample in the file. */
  bitsPerSample: number;
  format: 'pcm' | 'float';
  /** Channel 0 as int16, one value per sample frame. */
  samples: Int16Array;
  /** How the file's samples became int16 (for summaries). */
  conversion: string;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
const FORMAT_NAMES: Readonly<Record<number, string>> = { 2: 'Microsoft ADPCM', 6: 'A-law', 7: 'mu-law', 0x11: 'IMA ADPCM', 0x50: 'MPEG', 0x55: 'MP3' };

const CONVERT_FIX = 'convert it to 16-bit PCM, e.g. sox in.wav -e signed-integer -b 16 out.wav (or ffmpeg -i in.wav -acodec pcm_s16le out.wav)';

function tag(b: Uint8Array, o: number): string {
  return String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!);
}

function printable(s: string): string {
  return JSON.stringify(s.replace(/[^\x20-\x7e]/g, '?'));
}

/** Parses a WAV file's bytes. `file` names it in errors. */
export function readWav(bytes: Uint8Array, file = 'the WAV file'): WavAudio {
  const err = (code: string, message: string, hint: string): never => {
    throw new PipelineError(code, `${file}: ${message}`, hint, { file });
  };
  const n = bytes.length;
  if (n < 12) err('wav-format', `${n} bytes is too short for a WAV file (a RIFF header alone is 12)`, 'pass a .wav recording (RIFF/WAVE)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riff = tag(bytes, 0);
  if (riff === 'RIFX') err('wav-format', 'is a big-endian RIFX file', CONVERT_FIX);
  if (riff === 'RF64' || riff === 'BW64') err('wav-format', `is an ${riff} (64-bit size) file`, CONVERT_FIX);
  if (riff !== 'RIFF' || tag(bytes, 8) !== 'WAVE') err('wav-format', `is not a RIFF/WAVE file (it starts with ${printable(riff)})`, 'pass a .wav recording; other formats must be converted first, e.g. sox in.flac -b 16 out.wav');
  // The RIFF size bounds the chunks; trailing bytes after it are ignored, a size past the end is checked per chunk.
  const riffEnd = Math.min(n, 8 + dv.getUint32(4, true));

  let fmt: { format: number; channels: number; sampleRate: number; blockAlign: number; bits: number } | null = null;
  let data: { start: number; size: number } | null = null;
  let pos = 12;
  while (pos + 8 <= riffEnd && !data) {
    const id = tag(bytes, pos);
    const declared = dv.getUint32(pos + 4, true);
    const body = pos + 8;
    let size = declared;
    if (body + size > n) {
      if (id === 'data' && declared === 0xffffffff) size = n - body;
      else err('wav-truncated', `the ${printable(id)} chunk at byte ${pos} says ${declared} bytes, but only ${n - body} remain in the file`, `the file is truncated or damaged; re-export it (${CONVERT_FIX})`);
    }
    if (id === 'fmt ') {
      if (size < 16) err('wav-format', `the fmt chunk is ${size} bytes, less than the 16 a WAVE format needs`, CONVERT_FIX);
      let format = dv.getUint16(body, true);
      const channels = dv.getUint16(body + 2, true);
      const sampleRate = dv.getUint32(body + 4, true);
      const blockAlign = dv.getUint16(body + 12, true);
      const bits = dv.getUint16(body + 14, true);
      if (format === FORMAT_EXTENSIBLE) {
        // WAVEFORMATEXTENSIBLE: cbSize(2) validBits(2) channelMask(4) then the sub-format GUID, whose first 2 bytes are the format code.
        if (size < 40) err('wav-format', `the fmt chunk is ${size} bytes, too short for WAVE_FORMAT_EXTENSIBLE (40)`, CONVERT_FIX);
        format = dv.getUint16(body + 24, true);
      }
      if (format !== FORMAT_PCM && format !== FORMAT_FLOAT) {
        err('wav-unsupported', `uses ${FORMAT_NAMES[format] ?? `format code ${format}`} samples; only PCM and IEEE float are read`, CONVERT_FIX);
      }
      if (channels < 1) err('wav-format', 'declares 0 channels', CONVERT_FIX);
      if (sampleRate < 1) err('wav-format', 'declares a sample rate of 0 Hz', CONVERT_FIX);
      const okBits = format === FORMAT_PCM ? [8, 16, 24, 32] : [32, 64];
      if (!okBits.includes(bits)) {
        err('wav-unsupported', `has ${bits}-bit ${format === FORMAT_PCM ? 'PCM' : 'float'} samples; supported: ${okBits.join(', ')}-bit`, CONVERT_FIX);
      }
      if (blockAlign !== channels * (bits / 8)) err('wav-format', `declares ${blockAlign} bytes per sample frame, but ${channels} channel(s) of ${bits} bits take ${channels * (bits / 8)}`, CONVERT_FIX);
      fmt = { format, channels, sampleRate, blockAlign, bits };
    } else if (id === 'data') {
      if (!fmt) err('wav-format', 'has its data chunk before the fmt chunk', CONVERT_FIX);
      data = { start: body, size };
    }
    // Chunks are padded to an even size; the pad byte may be missing at the very end.
    pos = body + size + (size & 1);
  }
  if (!fmt) err('wav-format', 'has no fmt chunk (the sample format is unknown)', CONVERT_FIX);
  if (!data) err('wav-format', 'has no data chunk (no samples)', CONVERT_FIX);
  const { format, channels, sampleRate, blockAlign, bits } = fmt!;
  const { start, size } = data!;
  if (size % blockAlign !== 0) {
    err('wav-truncated', `the data chunk holds ${size} bytes, not a whole number of ${blockAlign}-byte sample frames`, `the file is truncated or damaged; re-export it (${CONVERT_FIX})`);
  }
  const frames = size / blockAlign;
  const samples = new Int16Array(frames);
  let conversion: string;
  if (format === FORMAT_PCM && bits === 8) {
    for (let i = 0, o = start; i < frames; i++, o += blockAlign) samples[i] = (bytes[o]! - 128) * 256;
    conversion = '8-bit unsigned PCM: (u - 128) * 256';
  } else if (format === FORMAT_PCM && bits === 16) {
    for (let i = 0, o = start; i < frames; i++, o += blockAlign) samples[i] = dv.getInt16(o, true);
    conversion = '16-bit PCM as is';
  } else if (format === FORMAT_PCM && bits === 24) {
    for (let i = 0, o = start; i < frames; i++, o += blockAlign) {
      const v = ((bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16)) << 8) >> 8;
      const r = (v + 128) >> 8;
      samples[i] = r > 32767 ? 32767 : r;
    }
    conversion = '24-bit PCM: round(v / 256), saturated';
  } else if (format === FORMAT_PCM) {
    for (let i = 0, o = start; i < frames; i++, o += blockAlign) {
      const r = Math.floor((dv.getInt32(o, true) + 32768) / 65536);
      samples[i] = r > 32767 ? 32767 : r;
    }
    conversion = '32-bit PCM: round(v / 65536), saturated';
  } else {
    for (let i = 0, o = start; i < frames; i++, o += blockAlign) {
      const x = bits === 32 ? dv.getFloat32(o, true) : dv.getFloat64(o, true);
      const y = x * 32768;
      // Saturate first (also +-Infinity); NaN fails both tests and the rounding below gives 0.
      let r: number;
      if (y >= 32767) r = 32767;
      else if (y <= -32768) r = -32768;
      else r = y < 0 ? -Math.round(-y) : Math.round(y);
      samples[i] = r || 0;
    }
    conversion = `${bits}-bit float: round(x * 32768), saturated`;
  }
  if (channels > 1) conversion += `; channel 0 of ${channels}`;
  return { sampleRate, channels, bitsPerSample: bits, format: format === FORMAT_FLOAT ? 'float' : 'pcm', samples, conversion };
}
