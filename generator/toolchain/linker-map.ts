/**
 * Reads a GNU ld map file (-Wl,-Map) of an emulation build and splits the
 * firmware into the parts the estimates model separately:
 *
 *   weights   tinyforge_weights.o: constant tensors and derived tables (with
 *             the 16-byte alignment padding between arrays)
 *   model     tinyforge_model.o: tf_invoke() with every kernel inlined and
 *             specialised per layer, tf_reset(), the tensor info tables
 *   harness   everything else: startup, the emulation main, the app/validate
 *             objects, newlib-nano, semihosting (rdimon) and libgcc
 *
 * for text (code + read-only data, as arm-none-eabi-size counts it), data
 * and bss. Only allocated output sections count (debug and .comment do not).
 * Linker padding (*fill*) is charged to the object before it.
 */

export type MapPart = 'weights' | 'model' | 'harness';
export type MapKind = 'text' | 'data' | 'bss';

export interface MapContribution {
  /** Output section (.text, .rodata, .tf_weights, .data, .bss, ...). */
  section: string;
  /** Input section (.text._Z9tf_invokev, .rodata.tf_const_t1, COMMON, *fill*). */
  input: string;
  size: number;
  /** Object file or archive(member) it came from ('' for fill). */
  file: string;
}

export interface MapBreakdown {
  text: Record<MapPart, number>;
  data: Record<MapPart, number>;
  bss: Record<MapPart, number>;
  /** Harness bytes by library / object: 'libc_nano.a', 'startup.o', ... (text + data). */
  harnessFiles: Record<string, number>;
  contributions: MapContribution[];
}

/** Output sections that occupy memory, and which Berkeley `size` column they count in. */
function kindOf(section: string): MapKind | null {
  if (section === '.data' || section.startsWith('.data.')) return 'data';
  if (section === '.bss' || section.startsWith('.bss.') || section === '.noinit') return 'bss';
  if (/^\.(vectors|text|rodata|tf_weights|ARM\.extab|ARM\.exidx|init_array|fini_array|preinit_array|glue_7t?|vfp11_veneer|v4_bx|iplt|rel\.dyn|igot\.plt)$/.test(section)) return 'text';
  return null;
}

export function parseLinkerMap(text: string): MapContribution[] {
  const start = text.indexOf('Linker script and memory map');
  const lines = (start >= 0 ? text.slice(start) : text).split('\n');
  const out: MapContribution[] = [];
  let section: string | null = null;
  let pendingInput: string | null = null;
  for (const line of lines) {
    // Output section: ".text   0x000000c0   0x2a9c" or ".ARM.extab" alone.
    const os = /^(\.[^\s]+)(?:\s+0x[0-9a-fA-F]+\s+0x[0-9a-fA-F]+)?/.exec(line);
    if (os) {
      section = os[1]!;
      pendingInput = null;
      continue;
    }
    if (!section) continue;
    // Input section with address, size and file on one line.
    const full = /^ (\S+)\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s*(.*)$/.exec(line);
    if (full && !full[1]!.startsWith('0x')) {
      out.push({ section, input: full[1]!, size: parseInt(full[3]!, 16), file: full[4]!.trim() });
      pendingInput = null;
      continue;
    }
    // Name alone (long input section names): the next line has address, size, file.
    const name = /^ (\S+)\s*$/.exec(line);
    if (name && !name[1]!.startsWith('*(') && !name[1]!.includes('(')) {
      pendingInput = name[1]!;
      continue;
    }
    const cont = /^\s{2,}0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+(\S.*)$/.exec(line);
    if (cont && pendingInput) {
      out.push({ section, input: pendingInput, size: parseInt(cont[2]!, 16), file: cont[3]!.trim() });
      pendingInput = null;
      continue;
    }
    pendingInput = null;
  }
  return out;
}

function partOf(file: string): MapPart {
  if (/(^|\/)tinyforge_weights\.o$/.test(file)) return 'weights';
  if (/(^|\/)tinyforge_model\.o$/.test(file)) return 'model';
  return 'harness';
}

function shortFile(file: string): string {
  const arch = /([^/]+\.a)\(/.exec(file);
  if (arch) return arch[1]!;
  return file.split('/').pop() || file;
}

export function linkerMapBreakdown(text: string): MapBreakdown {
  const contributions = parseLinkerMap(text);
  const zero = (): Record<MapPart, number> => ({ weights: 0, model: 0, harness: 0 });
  const b: MapBreakdown = { text: zero(), data: zero(), bss: zero(), harnessFiles: {}, contributions };
  let lastFile = '';
  for (const c of contributions) {
    const kind = kindOf(c.section);
    const file = c.input === '*fill*' || c.file === '' ? lastFile : c.file;
    if (c.input !== '*fill*') lastFile = c.file;
    if (!kind || c.size === 0) continue;
    const part = partOf(file);
    b[kind][part] += c.size;
    if (part === 'harness' && kind !== 'bss') {
      const f = shortFile(file);
      b.harnessFiles[f] = (b.harnessFiles[f] ?? 0) + c.size;
    }
  }
  return b;
}
