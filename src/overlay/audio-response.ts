import fs from 'node:fs';
import path from 'node:path';
import { parseByteRange } from '../http/byte-range.js';
import { NOT_FOUND, type HttpResponse } from '../http/routes.js';
import type { AudioFormat } from '../domain/audio.js';

const CONTENT_TYPES: Record<AudioFormat, string> = {
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  wav: 'audio/wav',
  flac: 'audio/flac',
};

/** What the upload flow stores: `<uuid>.<format>`. Anything else in the column is not served. */
const STORED_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(mp3|m4a|wav|flac)$/;

/**
 * An uploaded song for an `<audio>` element, which seeks with Range requests. Only a stored name of
 * the upload flow's shape is opened, and only inside the uploads directory, so no value in the
 * database can point the server at another file.
 */
export async function uploadedAudio(
  uploadsDir: string,
  storedName: string | null,
  rangeHeader: string | undefined,
): Promise<HttpResponse> {
  const format = STORED_NAME.exec(storedName ?? '')?.[1] as AudioFormat | undefined;
  if (!storedName || !format) return NOT_FOUND;
  const file = path.join(uploadsDir, storedName);
  let size: number;
  try {
    size = (await fs.promises.stat(file)).size;
  } catch {
    return NOT_FOUND;
  }
  const headers = {
    'content-type': CONTENT_TYPES[format],
    'accept-ranges': 'bytes',
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
  };
  const range = parseByteRange(rangeHeader, size);
  if (range.kind === 'unsatisfiable') {
    return {
      status: 416,
      body: '',
      headers: { 'accept-ranges': 'bytes', 'content-range': `bytes */${size}` },
    };
  }
  if (range.kind === 'whole') {
    return {
      status: 200,
      body: fs.createReadStream(file),
      headers: { ...headers, 'content-length': String(size) },
    };
  }
  return {
    status: 206,
    body: fs.createReadStream(file, { start: range.start, end: range.end }),
    headers: {
      ...headers,
      'content-length': String(range.end - range.start + 1),
      'content-range': `bytes ${range.start}-${range.end}/${size}`,
    },
  };
}
