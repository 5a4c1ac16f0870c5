import { fileTypeFromBuffer } from 'file-type';
import { describe, expect, it } from 'vitest';
import {
  AUDIO_FORMATS,
  audioFormatFromDetected,
  checkUploadName,
  checkUploadSize,
  MAX_UPLOAD_BYTES,
  type AudioFormat,
} from '../../src/domain/audio.js';
import { catchUserError } from './catch-user-error.js';

describe('upload size', () => {
  it('allows files up to 25 MiB', () => {
    expect(MAX_UPLOAD_BYTES).toBe(26_214_400);
    expect(() => checkUploadSize(MAX_UPLOAD_BYTES)).not.toThrow();
    expect(() => checkUploadSize(1)).not.toThrow();
  });

  it('refuses a file one byte over the limit as larger than the limit, without calling it 25 MB', () => {
    const error = catchUserError(() => checkUploadSize(MAX_UPLOAD_BYTES + 1));
    expect(error.code).toBe('file_too_large');
    expect(error.message).toBe(
      'That file is larger than the 25 MB limit. Export a smaller MP3 or send a link instead.',
    );
  });

  it('says how large a refused file is, rounded down so it never reads as the limit', () => {
    expect(catchUserError(() => checkUploadSize(40 * 1024 * 1024)).message).toMatch(
      /^That file is 40 MB, larger than the 25 MB limit\./,
    );
    expect(catchUserError(() => checkUploadSize(Math.round(25.19 * 1024 * 1024))).message).toMatch(
      /^That file is 25\.1 MB, larger than the 25 MB limit\./,
    );
    expect(catchUserError(() => checkUploadSize(Math.round(25.09 * 1024 * 1024))).message).toMatch(
      /^That file is larger than the 25 MB limit\./,
    );
  });

  it('refuses an empty file as unsupported', () => {
    expect(catchUserError(() => checkUploadSize(0)).code).toBe('unsupported_file');
  });

  it.each([-1, 1.5, Number.NaN])('treats a size of %d as a programming error', (size) => {
    expect(() => checkUploadSize(size)).toThrow(RangeError);
  });
});

describe('audio format from detected bytes', () => {
  it.each<[string, string, AudioFormat]>([
    ['mp3', 'audio/mpeg', 'mp3'],
    ['m4a', 'audio/x-m4a', 'm4a'],
    ['m4a', 'audio/mp4', 'm4a'],
    ['mp4', 'audio/mp4', 'm4a'],
    ['wav', 'audio/wav', 'wav'],
    ['wav', 'audio/vnd.wave', 'wav'],
    ['flac', 'audio/flac', 'flac'],
    ['flac', 'audio/x-flac', 'flac'],
  ])('bytes detected as %s (%s) are stored as %s', (ext, mime, format) => {
    expect(audioFormatFromDetected({ ext, mime }, 'upload.bin')).toBe(format);
  });

  it('takes the format from the bytes, not from the file name', () => {
    expect(audioFormatFromDetected({ ext: 'flac', mime: 'audio/flac' }, 'song.mp3')).toBe('flac');
  });

  it('refuses a PNG renamed .mp3, naming the file', () => {
    const error = catchUserError(() =>
      audioFormatFromDetected({ ext: 'png', mime: 'image/png' }, 'song.mp3'),
    );
    expect(error.code).toBe('unsupported_file');
    expect(error.message).toBe(
      `"song.mp3" isn't an MP3, M4A, WAV or FLAC file. Export your song in one of those formats and upload it again, or send a link instead.`,
    );
  });

  it('refuses bytes nothing could be detected in', () => {
    expect(catchUserError(() => audioFormatFromDetected(undefined, 'song.wav')).code).toBe(
      'unsupported_file',
    );
  });

  it.each([
    ['mp4', 'video/mp4'],
    ['ogg', 'audio/ogg'],
    ['mp2', 'audio/mpeg'],
    ['m4b', 'audio/mp4'],
    ['mp3', 'audio/flac'],
  ])('refuses bytes detected as %s (%s)', (ext, mime) => {
    expect(catchUserError(() => audioFormatFromDetected({ ext, mime }, 'x')).code).toBe('unsupported_file');
  });

  it('echoes only the base name of the file, without Markdown or control characters', () => {
    const message = catchUserError(() =>
      audioFormatFromDetected(undefined, '../../etc/**pass\u0000wd**.mp3'),
    ).message;
    expect(message.startsWith('"passwd.mp3" isn\'t')).toBe(true);
  });

  it('strips right-to-left overrides that would disguise the extension', () => {
    const message = catchUserError(() => audioFormatFromDetected(undefined, 'song\u202Egnp.exe')).message;
    expect(message.startsWith('"songgnp.exe" isn\'t')).toBe(true);
  });

  it('calls a file with no usable name "That file"', () => {
    expect(
      catchUserError(() => audioFormatFromDetected(undefined, '`')).message.startsWith("That file isn't"),
    ).toBe(true);
  });
});

describe('upload file names', () => {
  it.each([
    ['a plain name', 'song.mp3'],
    ['spaces, brackets and Markdown (shown cleaned, never used as a path)', 'Nova **Night** (final) #2.mp3'],
    ['dots inside the name', 'take.1..final.wav'],
    ['no extension (the bytes decide the type)', 'song'],
    ['letters beyond ASCII', 'Café ★ déjà vu.flac'],
  ])('accepts %s', (_name, fileName) => {
    expect(() => checkUploadName(fileName)).not.toThrow();
  });

  it.each([
    ['a relative path', '../../etc/passwd.mp3'],
    ['a parent-folder name', '..'],
    ['an absolute path', '/etc/cron.d/evil.mp3'],
    ['a Windows path', 'C:\\x\\y.mp3'],
    ['a NUL byte', 'song\u0000.php.mp3'],
    ['control characters', 'so\u0007ng\u001b[31m\r\n.mp3'],
    ['a right-to-left override', 'song\u202egpm.exe'],
    ['a leading dot', '.mp3'],
    ['a hidden-file name', '.htaccess'],
    ['an empty name', ''],
  ])('refuses %s, asking to rename the file', (_name, fileName) => {
    const error = catchUserError(() => checkUploadName(fileName));
    expect(error.code).toBe('invalid_file_name');
    expect(error.message).toMatch(/Rename the file to something like song\.mp3 and upload it again\.$/);
  });
});

/** Minimal file headers, enough for file-type to recognise each container. */
const HEADERS = {
  mp3: () =>
    Buffer.concat([
      Buffer.from('ID3'),
      Buffer.from([3, 0, 0, 0, 0, 0, 0, 0xff, 0xfb, 0x90, 0x64]),
      Buffer.alloc(400),
    ]),
  m4a: () => {
    const box = Buffer.alloc(32);
    box.writeUInt32BE(32, 0);
    box.write('ftypM4A ', 4, 'latin1');
    box.write('M4A isom', 16, 'latin1');
    return Buffer.concat([box, Buffer.alloc(200)]);
  },
  wav: () => {
    const h = Buffer.alloc(44);
    h.write('RIFF', 0, 'latin1');
    h.writeUInt32LE(36, 4);
    h.write('WAVEfmt ', 8, 'latin1');
    h.writeUInt32LE(16, 16);
    h.writeUInt16LE(1, 20);
    h.writeUInt16LE(2, 22);
    h.writeUInt32LE(44_100, 24);
    h.writeUInt32LE(176_400, 28);
    h.writeUInt16LE(4, 32);
    h.writeUInt16LE(16, 34);
    h.write('data', 36, 'latin1');
    return Buffer.concat([h, Buffer.alloc(200)]);
  },
  flac: () => Buffer.concat([Buffer.from('fLaC'), Buffer.alloc(200)]),
} satisfies Record<AudioFormat, () => Buffer>;

describe('agreement with the file-type package', () => {
  it.each(Object.keys(AUDIO_FORMATS) as AudioFormat[])(
    'a real %s header is recognised as %s',
    async (format) => {
      const detected = await fileTypeFromBuffer(HEADERS[format]());
      expect(audioFormatFromDetected(detected, `song.${format}`)).toBe(format);
    },
  );

  it('a real PNG header is refused', async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      Buffer.from('IHDR'),
      Buffer.alloc(200),
    ]);
    const detected = await fileTypeFromBuffer(png);
    expect(catchUserError(() => audioFormatFromDetected(detected, 'cover.mp3')).code).toBe(
      'unsupported_file',
    );
  });
});
