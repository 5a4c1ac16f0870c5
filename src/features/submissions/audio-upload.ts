import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { audioFormatFromDetected, checkUploadSize, MAX_UPLOAD_BYTES } from '../../domain/audio.js';
import { UserFacingError } from '../../domain/errors.js';

export interface StoredUpload {
  /** Path relative to the uploads directory: `<uuid>.<ext>`. */
  storedName: string;
  /** Display name (never used as a path). */
  displayName: string;
  bytes: number;
}

const DOWNLOAD_TIMEOUT_MS = 30_000;

/**
 * Downloads an attachment with a size cap and a timeout, checks by its bytes that it is MP3, M4A,
 * WAV or FLAC, and stores it as `<uuid>.<ext>`. The client's file name is only ever displayed.
 */
export async function storeAudioUpload(
  attachment: { url: string; name: string; size: number },
  uploadsDir: string,
): Promise<StoredUpload> {
  checkUploadSize(attachment.size);
  const bytes = await download(attachment.url);
  checkUploadSize(bytes.length);
  const detected = await fileTypeFromBuffer(bytes);
  const format = audioFormatFromDetected(detected, attachment.name);
  const storedName = `${randomUUID()}.${format}`;
  await fs.mkdir(uploadsDir, { recursive: true });
  const temp = path.join(uploadsDir, `.${storedName}.part`);
  await fs.writeFile(temp, bytes);
  await fs.rename(temp, path.join(uploadsDir, storedName));
  // PostgreSQL text can't hold NUL, and control characters have no place in a name shown to people.
  const displayName = attachment.name.replace(/[\p{Cc}\p{Cf}]/gu, '');
  return { storedName, displayName, bytes: bytes.length };
}

async function download(url: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch {
    throw new UserFacingError(
      'try_again',
      'Could not download your file from Discord; try uploading it again.',
    );
  }
  if (!response.ok || !response.body) {
    throw new UserFacingError(
      'try_again',
      'Could not download your file from Discord; try uploading it again.',
    );
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_UPLOAD_BYTES) checkUploadSize(declared);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    // Stop reading as soon as the cap is passed, whatever the headers claimed.
    if (total > MAX_UPLOAD_BYTES) checkUploadSize(total);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
