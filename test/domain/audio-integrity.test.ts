import { readFileSync } from 'node:fs';
import { fileTypeFromBuffer } from 'file-type';
import { describe, expect, it } from 'vitest';
import { audioFormatFromDetected, type AudioFormat } from '../../src/domain/audio.js';
import { checkAudioIntact } from '../../src/domain/audio-integrity.js';
import {
  FLAC_BYTES,
  M4A_BYTES,
  MP3_BYTES,
  MP3_FRAME,
  MP3_WITH_ID3_BYTES,
  mp4Box,
  WAV_BYTES,
} from '../support/audio-samples.js';
import { catchUserError } from './catch-user-error.js';

/** The technical reason, kept for the logs (the viewer's message has none of it). */
const problemOf = (format: AudioFormat, bytes: Buffer) =>
  catchUserError(() => checkAudioIntact(format, bytes, `song.${format}`)).detail;

const SAMPLES: [string, AudioFormat, Buffer][] = [
  ['MP3', 'mp3', MP3_BYTES],
  ['MP3 with an ID3 tag', 'mp3', MP3_WITH_ID3_BYTES],
  ['WAV', 'wav', WAV_BYTES],
  ['FLAC', 'flac', FLAC_BYTES],
  ['M4A', 'm4a', M4A_BYTES],
];

describe('complete files pass', () => {
  it.each(SAMPLES)('a whole %s is detected by file-type and passes', async (_name, format, bytes) => {
    expect(audioFormatFromDetected(await fileTypeFromBuffer(bytes), 'x')).toBe(format);
    expect(() => checkAudioIntact(format, bytes, 'x')).not.toThrow();
  });
});

describe('files cut short are refused, naming the file and what to do', () => {
  it('says in plain words that the file looks cut short and what to do, with no format terms', () => {
    expect(
      catchUserError(() => checkAudioIntact('mp3', MP3_BYTES.subarray(0, 100), 'song.mp3')).message,
    ).toBe(
      '"song.mp3" looks cut short or damaged. Export it again and upload the whole file, or send a link instead.',
    );
  });

  it('keeps the technical reason for the logs', () => {
    expect(problemOf('mp3', MP3_BYTES.subarray(0, 100))).toBe('mp3: it ends inside its first MP3 frame');
  });

  /** The shortest prefix of each sample that still holds what the check needs. */
  it.each<[string, AudioFormat, Buffer, number]>([
    // One whole frame and the next frame's header.
    ['MP3', 'mp3', MP3_BYTES, MP3_FRAME.length + 4],
    ['MP3 with an ID3 tag', 'mp3', MP3_WITH_ID3_BYTES, MP3_WITH_ID3_BYTES.length - MP3_BYTES.length + 421],
    // The RIFF size counts every byte.
    ['WAV', 'wav', WAV_BYTES, WAV_BYTES.length],
    // Marker, STREAMINFO, and a frame's sync code.
    ['FLAC', 'flac', FLAC_BYTES, 4 + 4 + 34 + 2],
    // mdat is the last box.
    ['M4A', 'm4a', M4A_BYTES, M4A_BYTES.length],
  ])('every cut of the %s sample shorter than %#’s minimum is refused', (_name, format, bytes, minimum) => {
    for (let length = 0; length < minimum; length += 1) {
      expect(() => checkAudioIntact(format, bytes.subarray(0, length), 'x'), `cut at ${length}`).toThrow(
        /cut short or damaged/,
      );
    }
    expect(() => checkAudioIntact(format, bytes.subarray(0, minimum), 'x')).not.toThrow();
  });
});

describe('MP3', () => {
  it('refuses one lone frame: no second header confirms it', () => {
    expect(problemOf('mp3', MP3_FRAME)).toMatch(/its first MP3 frame is not followed by another/);
  });

  it('refuses a first frame followed by bytes that are no frame header', () => {
    expect(problemOf('mp3', Buffer.concat([MP3_FRAME, Buffer.alloc(500)]))).toMatch(/not followed/);
  });

  it('computes the frame length from the header: a padded 320 kbit/s frame is 1045 bytes', () => {
    const padded = Buffer.concat([Buffer.from([0xff, 0xfb, 0xe2, 0x64]), Buffer.alloc(1041)]);
    expect(() => checkAudioIntact('mp3', Buffer.concat([padded, padded]), 'x')).not.toThrow();
    expect(problemOf('mp3', Buffer.concat([padded.subarray(0, 1044), padded]))).toMatch(/not followed/);
  });

  it('reads MPEG-2 frames (half the samples per frame): 64 kbit/s at 22.05 kHz is 208 bytes', () => {
    const frame = Buffer.concat([Buffer.from([0xff, 0xf3, 0x80, 0xc4]), Buffer.alloc(204)]);
    expect(() => checkAudioIntact('mp3', Buffer.concat([frame, frame]), 'x')).not.toThrow();
  });

  it.each([
    ['a reserved sample rate', [0xff, 0xfb, 0x9c, 0x64]],
    ['a bad bitrate', [0xff, 0xfb, 0xf0, 0x64]],
    ['free format', [0xff, 0xfb, 0x00, 0x64]],
  ])('refuses a first header with %s', (_name, header) => {
    const frame = Buffer.concat([Buffer.from(header), Buffer.alloc(800)]);
    expect(problemOf('mp3', frame)).toMatch(/first MP3 frame header is unreadable/);
  });

  describe('a Xing or Info frame first (as LAME writes)', () => {
    /** Three 128 kbit/s stereo MPEG-1 frames, the first carrying an Info tag after its side info. */
    const withTag = (id: string, flags: number, fields: number[]) => {
      const bytes = Buffer.concat([MP3_FRAME, MP3_FRAME, MP3_FRAME]);
      const tag = 4 + 32;
      bytes.write(id, tag, 'latin1');
      bytes.writeUInt32BE(flags, tag + 4);
      fields.forEach((value, i) => bytes.writeUInt32BE(value, tag + 8 + 4 * i));
      return bytes;
    };

    it('passes when the stream size it declares arrived', () => {
      const whole = withTag('Info', 0x3, [3, 3 * MP3_FRAME.length]);
      expect(() => checkAudioIntact('mp3', whole, 'x')).not.toThrow();
      expect(() => checkAudioIntact('mp3', withTag('Xing', 0x2, [whole.length]), 'x')).not.toThrow();
    });

    it('refuses a file shorter than the stream size it declares', () => {
      // An export cut off after three frames of a 4 MB song: the headers are whole, the audio is not.
      expect(problemOf('mp3', withTag('Info', 0x3, [9_000, 4_000_000]))).toMatch(
        /it is shorter than its MP3 header says/,
      );
      expect(problemOf('mp3', withTag('Xing', 0x2, [4_000_000]))).toMatch(/shorter than its MP3 header/);
    });

    it('ignores a tag that declares no size, and frames without a tag', () => {
      expect(() => checkAudioIntact('mp3', withTag('Xing', 0x1, [9_000]), 'x')).not.toThrow();
      expect(() => checkAudioIntact('mp3', withTag('Nope', 0x2, [4_000_000]), 'x')).not.toThrow();
    });
  });

  it('refuses an ID3 tag that claims more bytes than arrived', () => {
    const tag = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0x10, 0]);
    expect(problemOf('mp3', Buffer.concat([tag, MP3_BYTES]))).toMatch(/ends inside its ID3 tag/);
  });
});

describe('WAV', () => {
  const wav = (edit: (b: Buffer) => void) => {
    const copy = Buffer.from(WAV_BYTES);
    edit(copy);
    return copy;
  };

  it('refuses a data chunk larger than the file, even when the RIFF size agrees with the file', () => {
    expect(
      problemOf(
        'wav',
        wav((b) => b.writeUInt32LE(65, 40)),
      ),
    ).toMatch(/ends inside its audio data/);
  });

  it('refuses a header with an empty data chunk', () => {
    const header = Buffer.from(WAV_BYTES.subarray(0, 44));
    header.writeUInt32LE(36, 4);
    header.writeUInt32LE(0, 40);
    expect(problemOf('wav', header)).toMatch(/holds no audio/);
  });

  it('refuses audio before the format chunk', () => {
    expect(
      problemOf(
        'wav',
        wav((b) => b.write('junk', 12)),
      ),
    ).toMatch(/before its format chunk/);
  });

  it('accepts extra chunks before the audio, and trailing bytes after the RIFF', () => {
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc\0')]);
    const withList = Buffer.concat([WAV_BYTES.subarray(0, 36), list, WAV_BYTES.subarray(36)]);
    withList.writeUInt32LE(WAV_BYTES.length - 8 + list.length, 4);
    expect(() => checkAudioIntact('wav', Buffer.concat([withList, Buffer.alloc(3)]), 'x')).not.toThrow();
  });

  it('accepts a WAV written to a pipe, whose sizes are left at 0xFFFFFFFF', () => {
    const streamed = wav((b) => {
      b.writeUInt32LE(0xffff_ffff, 4);
      b.writeUInt32LE(0xffff_ffff, 40);
    });
    expect(() => checkAudioIntact('wav', streamed, 'x')).not.toThrow();
  });
});

describe('FLAC', () => {
  it('refuses a file whose first metadata block is not STREAMINFO', () => {
    const copy = Buffer.from(FLAC_BYTES);
    copy[4] = 0x84; // a last VORBIS_COMMENT block
    expect(problemOf('flac', copy)).toMatch(/stream information is missing/);
  });

  it('refuses metadata that is not followed by a frame', () => {
    const noFrame = Buffer.concat([FLAC_BYTES.subarray(0, 42), Buffer.alloc(10)]);
    expect(problemOf('flac', noFrame)).toMatch(/before its first FLAC audio frame/);
  });

  it('walks every metadata block: a cover picture after STREAMINFO must be complete', () => {
    const info = Buffer.from(FLAC_BYTES.subarray(4, 42));
    info[0] = 0x00; // STREAMINFO, not last
    const picture = Buffer.concat([Buffer.from([0x86, 0, 0x01, 0]), Buffer.alloc(256)]);
    const frame = FLAC_BYTES.subarray(42);
    const whole = Buffer.concat([Buffer.from('fLaC'), info, picture, frame]);
    expect(() => checkAudioIntact('flac', whole, 'x')).not.toThrow();
    expect(problemOf('flac', whole.subarray(0, 200))).toMatch(/ends inside its FLAC metadata/);
  });
});

describe('FLAC as the reference encoder writes it', () => {
  // flac 1.4: 4,800 samples (8 kHz mono) in frames of 1,024, the last one 704; a seek table.
  const REAL = readFileSync(new URL('../support/fixtures/tone-8khz-mono.flac', import.meta.url));
  const frameStarts = (() => {
    const starts: number[] = [];
    for (let i = 0; i + 1 < REAL.length; i++) if (REAL[i] === 0xff && REAL[i + 1] === 0xf8) starts.push(i);
    return starts;
  })();

  it('passes whole, and with its last frame cut (a tenth of a second at most)', async () => {
    expect(audioFormatFromDetected(await fileTypeFromBuffer(REAL), 'x')).toBe('flac');
    expect(() => checkAudioIntact('flac', REAL, 'x')).not.toThrow();
    const lastFrame = frameStarts.at(-1)!;
    expect(() => checkAudioIntact('flac', REAL.subarray(0, lastFrame + 20), 'x')).not.toThrow();
  });

  it('refuses it cut anywhere before its last frame', () => {
    // Sync patterns inside audio data are skipped by the header CRC, so every frame is found.
    expect(frameStarts.length).toBeGreaterThanOrEqual(5);
    const lastFrame = frameStarts.at(-1)!;
    for (const cut of [
      frameStarts[0]! + 10,
      frameStarts[2]!,
      Math.floor((frameStarts[1]! + lastFrame) / 2),
      lastFrame,
    ]) {
      expect(problemOf('flac', REAL.subarray(0, cut))).toMatch(/shorter than its FLAC header says/);
    }
  });

  it('is not fooled by the sync pattern inside audio data: the header CRC must match', () => {
    // The first frame's header (frame 0) with its CRC byte changed, in the last frame's audio data.
    const first = frameStarts[0]!;
    const fake = Buffer.from(REAL.subarray(first, first + 6));
    fake[5] = fake[5]! ^ 0x5a;
    const copy = Buffer.from(REAL);
    fake.copy(copy, frameStarts.at(-1)! + 30);
    expect(() => checkAudioIntact('flac', copy, 'x')).not.toThrow();
  });

  it('reads frame numbers coded in several bytes (a song has thousands of frames)', () => {
    // flac 1.4, 36,000 samples of silence in 2,250 frames of 16: the last numbers take 3 bytes.
    const long = readFileSync(new URL('../support/fixtures/silence-2250-frames.flac', import.meta.url));
    expect(() => checkAudioIntact('flac', long, 'x')).not.toThrow();
    expect(problemOf('flac', long.subarray(0, Math.floor(long.length * 0.98)))).toMatch(
      /shorter than its FLAC header says/,
    );
  });

  it('finds the last frame behind a trailing ID3v1 tag', () => {
    const tagged = Buffer.concat([REAL, Buffer.from('TAG'), Buffer.alloc(125, 0xff)]);
    expect(() => checkAudioIntact('flac', tagged, 'x')).not.toThrow();
  });

  it('does not judge a stream whose length STREAMINFO leaves unknown', () => {
    const unknown = Buffer.from(REAL);
    // STREAMINFO starts at 8; its 36-bit total sample count ends at byte 17 + 8.
    unknown[8 + 13] = unknown[8 + 13]! & 0xf0;
    unknown.writeUInt32BE(0, 8 + 14);
    expect(() => checkAudioIntact('flac', unknown.subarray(0, frameStarts[2]!), 'x')).not.toThrow();
  });
});

describe('M4A', () => {
  const ftyp = M4A_BYTES.subarray(0, M4A_BYTES.readUInt32BE(0));
  const moov = mp4Box('moov', mp4Box('mvhd', Buffer.alloc(100)));
  const mdat = mp4Box('mdat', Buffer.alloc(128));

  it('accepts the audio data before the index (as many encoders write it)', () => {
    expect(() => checkAudioIntact('m4a', Buffer.concat([ftyp, mdat, moov]), 'x')).not.toThrow();
  });

  it('refuses a file without the index, or without the audio', () => {
    expect(problemOf('m4a', Buffer.concat([ftyp, mdat]))).toMatch(/has no audio index/);
    expect(problemOf('m4a', Buffer.concat([ftyp, moov]))).toMatch(/has no audio data/);
  });

  it('refuses a box whose declared size runs past the end, naming it', () => {
    expect(problemOf('m4a', Buffer.concat([ftyp, moov, mdat.subarray(0, 100)]))).toMatch(
      /ends inside its "mdat" box/,
    );
  });

  it('refuses a file that does not start with ftyp, and an impossible box size', () => {
    expect(problemOf('m4a', Buffer.concat([moov, mdat]))).toMatch(/does not start with a file type box/);
    const tiny = Buffer.from(mdat);
    tiny.writeUInt32BE(4, 0);
    expect(problemOf('m4a', Buffer.concat([ftyp, tiny]))).toMatch(/impossible size/);
  });

  it('reads 64-bit box sizes and "to the end of the file"', () => {
    const large = Buffer.concat([
      Buffer.from([0, 0, 0, 1]),
      Buffer.from('mdat'),
      Buffer.alloc(8),
      Buffer.alloc(50),
    ]);
    large.writeUInt32BE(large.length, 12);
    expect(() => checkAudioIntact('m4a', Buffer.concat([ftyp, moov, large]), 'x')).not.toThrow();
    const toEnd = Buffer.from(mdat);
    toEnd.writeUInt32BE(0, 0);
    expect(() => checkAudioIntact('m4a', Buffer.concat([ftyp, moov, toEnd]), 'x')).not.toThrow();
  });
});
