/**
 * Model-supplied strings are untrusted: they never reach generated C/C++
 * unescaped. Identifiers in generated code are ours (built from indexes);
 * names only appear inside comments and string literals, escaped here so that
 * no quote, comment terminator, newline or preprocessor text survives raw.
 */

/**
 * Text safe inside a // comment or a "string literal": ASCII letters, digits
 * and a few marks pass; every other byte becomes a 3-digit octal escape (octal,
 * not \x, because a C hex escape swallows the hex digits that follow it).
 */
export function cText(s: string, max = 80): string {
  let out = '';
  for (const ch of s.slice(0, max)) {
    const code = ch.codePointAt(0)!;
    if (/[A-Za-z0-9_.:\-/ ]/.test(ch)) out += ch;
    else if (code < 256) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += '_';
  }
  return s.length > max ? `${out}...` : out;
}

/** A C identifier from arbitrary text: [A-Za-z_][A-Za-z0-9_]*, never empty. */
export function cIdent(s: string, fallback = 'model'): string {
  let id = s.replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_').replace(/^_+|_+$/g, '');
  if (!id) id = fallback;
  if (/^[0-9]/.test(id)) id = `m_${id}`;
  return id.slice(0, 48);
}

/** Folder names Windows refuses whatever the extension (CON, NUL, COM1...): a sketch folder must not be one. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/** What a sketch name (--name, or derived) must be: the folder and the .ino name on every OS. */
export const SKETCH_NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/** True when `name` can name a sketch folder: SKETCH_NAME and not a Windows reserved device name. */
export function isSketchName(name: string): boolean {
  return SKETCH_NAME.test(name) && !WINDOWS_RESERVED.test(name);
}

/** Arduino sketch folder / .ino name from a model path: letters, digits, underscore; starts with a letter. */
export function sketchName(modelPath: string | null): string {
  const base = (modelPath ?? 'model').split(/[\\/]/).pop()!.replace(/\.tflite$/i, '');
  const id = cIdent(base, 'model');
  const name = /^[A-Za-z]/.test(id) ? id : `tf_${id}`;
  return WINDOWS_RESERVED.test(name) ? `${name}_model` : name;
}

/** Makes identifiers unique by suffixing _2, _3... in first-come order. */
export class UniqueNames {
  private readonly used = new Map<string, number>();
  take(base: string): string {
    const n = this.used.get(base) ?? 0;
    this.used.set(base, n + 1);
    return n === 0 ? base : `${base}_${n + 1}`;
  }
}
