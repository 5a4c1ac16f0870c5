import { UserFacingError } from './errors.js';

export type AudioFormat = 'mp3' | 'm4a' | 'wav' | 'flac';

/** What `file-type` reports from a file's first bytes. */
export interface DetectedFileType {
  ext: string;
  mime: string;
}

/**
 * Accepted uploads, keyed by the extension they are stored under, with the `ext`/`mime` pairs the
 * `file-type` package reports for them. Both must match one format: the bytes decide, never the name.
 */
export const AUDIO_FORMATS: Readonly<
  Record<AudioFormat, { exts: readonly string[]; mimes: readonly string[] }>
> = {
  mp3: { exts: ['mp3'], mimes: ['audio/mpeg'] },
  m4a: { exts: ['m4a', 'mp4'], mimes: ['audio/x-m4a', 'audio/mp4'] },
  wav: { exts: ['wav'], mimes: ['audio/wav', 'audio/vnd.wave'] },
  flac: { exts: ['flac'], mimes: ['audio/flac', 'audio/x-flac'] },
};

/** Room for a few minutes of lossless audio; anything larger is refused before it is downloaded. */
const MEGABYTE = 1024 * 1024;
export const MAX_UPLOAD_BYTES = 25 * MEGABYTE;

const ACCEPTED_FORMATS_TEXT = 'an MP3, M4A, WAV or FLAC file';

export function checkUploadSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0)
    throw new RangeError(`file size must be a byte count, got ${size}`);
  if (size === 0) {
    throw new UserFacingError('unsupported_file', `That file is empty; upload ${ACCEPTED_FORMATS_TEXT}.`);
  }
  if (size > MAX_UPLOAD_BYTES) {
    // Rounded down, a size just over the limit would read as the limit itself ("25 MB"): leave it out.
    const shown = Math.floor((size / MEGABYTE) * 10) / 10;
    const howLarge = shown * MEGABYTE > MAX_UPLOAD_BYTES ? `${shown} MB, ` : '';
    throw new UserFacingError(
      'file_too_large',
      `That file is ${howLarge}larger than the ${MAX_UPLOAD_BYTES / MEGABYTE} MB limit. Export a smaller MP3 or send a link instead.`,
    );
  }
}

/**
 * The format of an upload from its detected bytes. `fileName` only names the file in the refusal; the
 * stored file takes the returned format as its extension, so a PNG renamed `.mp3` is refused and a
 * client's name is never used as a path.
 */
export function audioFormatFromDetected(
  detected: DetectedFileType | undefined,
  fileName: string,
): AudioFormat {
  const format = (Object.keys(AUDIO_FORMATS) as AudioFormat[]).find(
    (f) =>
      detected !== undefined &&
      AUDIO_FORMATS[f].exts.includes(detected.ext) &&
      AUDIO_FORMATS[f].mimes.includes(detected.mime),
  );
  if (format === undefined) {
    throw new UserFacingError(
      'unsupported_file',
      `${displayName(fileName)} isn't ${ACCEPTED_FORMATS_TEXT}. Export your song in one of those formats and upload it again, or send a link instead.`,
      `detected ${detected ? `${detected.ext} (${detected.mime})` : 'no known file type'}`,
    );
  }
  return format;
}

/** The client's file name, reduced to something safe to echo back: no path, no Markdown, short. */
export function displayName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const clean = [...base.replace(/[\p{Cc}\p{Cf}`*_~|<>@#[\]()\\]/gu, '')].slice(0, 60).join('').trim();
  return clean === '' ? 'That file' : `"${clean}"`;
}

/** Separators, control characters, a leading dot, and bidi overrides (`song\u202Egpm.exe` reads `songexe.mpg`). */
const PATH_LIKE_NAME = /[/\\\p{Cc}\u202A-\u202E\u2066-\u2069]|^\./u;

/**
 * Refuses an upload whose name looks like a path or hides characters (`../x.mp3`, `C:\x.mp3`, a NUL,
 * a leading dot). The name is never used as a path anyway (uploads are stored as `<uuid>.<ext>`);
 * a name like that comes from a forged request or a confused client, and a clear refusal beats
 * storing a name the reviewer sees mangled.
 */
export function checkUploadName(fileName: string): void {
  if (fileName === '' || PATH_LIKE_NAME.test(fileName)) {
    throw new UserFacingError(
      'invalid_file_name',
      "That file's name has slashes or hidden characters in it. Rename the file to something like song.mp3 and upload it again.",
    );
  }
}
