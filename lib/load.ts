/**
 * Loading a model: a path or the bytes, into the graph IR. File I/O for the
 * library entry; everything below it is pure.
 */
import { readFile } from 'node:fs/promises';
import { ModelFormatError } from './errors.js';
import { readModel } from '../sim/parse/reader.js';
import type { Model } from '../sim/ir/types.js';

/** Reads and parses a .tflite model. Throws ModelFormatError (typed, with a hint) on bad input. */
export async function loadModel(pathOrBytes: string | Uint8Array | ArrayBuffer): Promise<Model> {
  if (typeof pathOrBytes === 'string') {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(pathOrBytes));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ModelFormatError(
        'cannot-read',
        code === 'ENOENT' ? `model file not found: ${pathOrBytes}` : code === 'EISDIR' ? `${pathOrBytes} is a directory, not a .tflite file` : `cannot read ${pathOrBytes}: ${(e as Error).message}`,
        'pass the path of a .tflite file',
        { file: pathOrBytes },
      );
    }
    return readModel(bytes, pathOrBytes);
  }
  const bytes = pathOrBytes instanceof Uint8Array ? pathOrBytes : new Uint8Array(pathOrBytes);
  return readModel(bytes, null);
}

/** Synchronous variant for callers that already hold the bytes. */
export function parseModel(bytes: Uint8Array, source: string | null = null): Model {
  return readModel(bytes, source);
}
