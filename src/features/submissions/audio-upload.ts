import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { audioFormatFromDetected, checkUploadSize, MAX_UPLOAD_BYTES } from '../../domain/audio.js';
import { checkAudioIntact } from '../../domain/audio-integrity.js';
import { UserFacingError } from '../../domain/errors.js';

export interface StoredUpload {
  /** Path relative to the uploads directory: `<uuid>.<ext>`. */
  storedName: string;
  /** Display name (never used as a path). */
  displayName: string;
  bytes: number;
}

export interface DownloadOptions {
  /** Bounds the whole download, headers and body: a CDN that stalls mid-file must not hold a command. */
  timeoutMs: number;
}

export const DEFAULT_DOWNLOAD: DownloadOptions = { timeoutMs: 30_000 };

const TRY_AGAIN = 'Could not download your file from Discord; try uploading it again.';
const TIMED_OUT = 'Downloading your file from Discord took too long; try uploading it again.';

/**
 * Downloads an attachment with a size cap and a timeout, checks by its bytes that it is a whole MP3,
 * M4A, WAV or FLAC, and stores it as `<uuid>.<ext>`. The client's file name is only ever displayed.
 */
export async function storeAudioUpload(
  attachment: { url: string; name: string; size: number },
  uploadsDir: string,
  options: DownloadOptions = DEFAULT_DOWNLOAD,
): Promise<StoredUpload> {
  checkUploadSize(attachment.size);
  const bytes = await download(attachment.url, options.timeoutMs);
  checkUploadSize(bytes.length);
  const format = audioFormatFromDetected(await fileTypeFromBuffer(bytes), attachment.name);
  checkAudioIntact(format, bytes, attachment.name);
  const storedName = `${randomUUID()}.${format}`;
  await fs.mkdir(uploadsDir, { recursive: true });
  const temp = path.join(uploadsDir, `.${storedName}.part`);
  await fs.writeFile(temp, bytes);
  await fs.rename(temp, path.join(uploadsDir, storedName));
  // PostgreSQL text can't hold NUL, and control characters have no place in a name shown to people.
  const displayName = attachment.name.replace(/[\p{Cc}\p{Cf}]/gu, '');
  return { storedName, displayName, bytes: bytes.length };
}

/** One signal covers fetch and every body read, so a stall anywhere ends in the same clear answer. */
async function download(url: string, timeoutMs: number): Promise<Buffer> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { signal });
    if (!response.ok || !response.body) {
      throw new UserFacingError('try_again', TRY_AGAIN, `download answered HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > MAX_UPLOAD_BYTES) checkUploadSize(declared);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      // Stop reading as soon as the cap is passed, whatever the headers claimed; leaving the loop
      // cancels the body.
      if (total > MAX_UPLOAD_BYTES) checkUploadSize(total);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  } catch (error) {
    if (error instanceof UserFacingError) throw error;
    throw new UserFacingError(
      'try_again',
      signal.aborted ? TIMED_OUT : TRY_AGAIN,
      `download failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
