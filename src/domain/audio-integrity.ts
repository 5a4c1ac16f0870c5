import { displayName, type AudioFormat } from './audio.js';
import { UserFacingError } from './errors.js';

/**
 * Refuses an upload whose container is cut short: `file-type` recognises a format from its first
 * bytes only, so 100 bytes of an MP3 pass detection but hold no song. Each check reads the sizes the
 * file declares about itself and needs them to fit in the bytes that arrived. The viewer reads what to
 * do; which part of the file is missing (a format fact they can't act on) goes to the logs as `detail`.
 */
export function checkAudioIntact(format: AudioFormat, bytes: Uint8Array, fileName: string): void {
  const problem = PROBLEMS[format](bytes, afterId3Tag(bytes));
  if (problem !== null) {
    throw new UserFacingError(
      'unsupported_file',
      `${displayName(fileName)} looks cut short or damaged. Export it again and upload the whole file, or send a link instead.`,
      `${format}: ${problem}`,
    );
  }
}

type Problem = string | null;

const PROBLEMS: Record<AudioFormat, (bytes: Uint8Array, start: number) => Problem> = {
  mp3: mp3Problem,
  wav: wavProblem,
  flac: flacProblem,
  m4a: m4aProblem,
};

const TRUNCATED_TAG = -1;

/**
 * Where the audio starts after a leading ID3v2 tag (`file-type` skips one in front of any format).
 * The tag's size is four 7-bit bytes; a footer, when flagged, adds ten more.
 */
function afterId3Tag(bytes: Uint8Array): number {
  if (bytes.length < 10 || ascii(bytes, 0, 3) !== 'ID3') return 0;
  const size =
    ((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f);
  const footer = bytes[5]! & 0x10 ? 10 : 0;
  const end = 10 + size + footer;
  return end > bytes.length ? TRUNCATED_TAG : end;
}

// MP3

/** Layer III bitrates in kbit/s by bitrate index: MPEG-1, then MPEG-2 and 2.5. Index 0 is "free". */
const MP3_BITRATES = {
  v1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MP3_SAMPLE_RATES = [44_100, 48_000, 32_000];

/** The length in bytes of the Layer III frame whose header starts at `at`; null when there is none. */
function mp3FrameLength(bytes: Uint8Array, at: number): number | null {
  if (at + 4 > bytes.length) return null;
  const [b0, b1, b2] = [bytes[at]!, bytes[at + 1]!, bytes[at + 2]!];
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const version = (b1 >> 3) & 0b11; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5, 1 reserved
  const layer = (b1 >> 1) & 0b11; // 1 = Layer III
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 0b11;
  // Free-format (index 0) streams carry no length in the header; encoders don't write them for songs.
  if (version === 1 || layer !== 1 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3)
    return null;
  const mpeg1 = version === 3;
  const bitrate = (mpeg1 ? MP3_BITRATES.v1 : MP3_BITRATES.v2)[bitrateIndex]! * 1000;
  const sampleRate = MP3_SAMPLE_RATES[rateIndex]! / (mpeg1 ? 1 : version === 2 ? 2 : 4);
  const padding = (b2 >> 1) & 1;
  return Math.floor(((mpeg1 ? 144 : 72) * bitrate) / sampleRate) + padding;
}

/**
 * A complete first frame followed by a second frame header: the second header confirms the length
 * computed from the first, and one lone frame (26 ms) is no song. When the first frame is a Xing or
 * Info frame (LAME and most encoders write one), the stream size it declares must have arrived too.
 */
function mp3Problem(bytes: Uint8Array, start: number): Problem {
  if (start === TRUNCATED_TAG) return 'it ends inside its ID3 tag';
  const first = mp3FrameLength(bytes, start);
  if (first === null) return 'its first MP3 frame header is unreadable';
  if (start + first > bytes.length) return 'it ends inside its first MP3 frame';
  if (mp3FrameLength(bytes, start + first) === null) return 'its first MP3 frame is not followed by another';
  const declared = xingStreamBytes(bytes, start);
  // Counted from the first frame by LAME, from the file start by some tools: either way no larger
  // than the whole file when it is complete.
  if (declared !== null && declared > bytes.length) return 'it is shorter than its MP3 header says';
  return null;
}

const XING_BYTES_FLAG = 0x2;
const XING_FRAMES_FLAG = 0x1;

/** The stream size in bytes a Xing/Info tag in the frame at `at` declares, if it declares one. */
function xingStreamBytes(bytes: Uint8Array, at: number): number | null {
  const mpeg1 = ((bytes[at + 1]! >> 3) & 0b11) === 3;
  const mono = bytes[at + 3]! >> 6 === 0b11;
  const sideInfo = mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17;
  const tag = at + 4 + sideInfo;
  if (tag + 8 > bytes.length) return null;
  const id = ascii(bytes, tag, 4);
  if (id !== 'Xing' && id !== 'Info') return null;
  const flags = u32be(bytes, tag + 4);
  if (!(flags & XING_BYTES_FLAG)) return null;
  const field = tag + 8 + (flags & XING_FRAMES_FLAG ? 4 : 0);
  return field + 4 > bytes.length ? null : u32be(bytes, field);
}

// WAV

/** Writers that can't seek back (ffmpeg to a pipe) leave the RIFF and data sizes at 0xFFFFFFFF. */
const UNKNOWN_RIFF_SIZE = 0xffff_ffff;

/** The RIFF size must fit the file, and a `fmt ` chunk and a non-empty `data` chunk must fit in it. */
function wavProblem(bytes: Uint8Array, start: number): Problem {
  if (start === TRUNCATED_TAG) return 'it ends inside its ID3 tag';
  if (start + 12 > bytes.length) return 'it ends inside its WAV header';
  const riffSize = u32le(bytes, start + 4);
  const streamed = riffSize === UNKNOWN_RIFF_SIZE;
  if (!streamed && start + 8 + riffSize > bytes.length) return 'it is shorter than its WAV header says';
  let at = start + 12;
  let sawFormat = false;
  while (at + 8 <= bytes.length) {
    const id = ascii(bytes, at, 4);
    const size = u32le(bytes, at + 4);
    if (id === 'data') {
      if (!sawFormat) return 'its audio comes before its format chunk';
      if (streamed && size === UNKNOWN_RIFF_SIZE) return bytes.length > at + 8 ? null : 'it holds no audio';
      if (size === 0) return 'it holds no audio';
      return at + 8 + size > bytes.length ? 'it ends inside its audio data' : null;
    }
    if (id === 'fmt ') sawFormat = true;
    at += 8 + size + (size & 1);
  }
  return 'it ends before its audio data';
}

// FLAC

const FLAC_STREAMINFO = 0;
const FLAC_STREAMINFO_LENGTH = 34;

/**
 * STREAMINFO first, every metadata block complete, then the sync code of the first audio frame. When
 * STREAMINFO gives the total sample count and the first frame header reads, the file's last frame
 * header must also reach that count: a file cut anywhere before its last frame ends on an earlier one.
 */
function flacProblem(bytes: Uint8Array, start: number): Problem {
  if (start === TRUNCATED_TAG) return 'it ends inside its ID3 tag';
  let at = start + 4; // "fLaC"
  let first = true;
  let streamInfo = -1;
  for (;;) {
    if (at + 4 > bytes.length) return 'it ends inside its FLAC metadata';
    const last = (bytes[at]! & 0x80) !== 0;
    const type = bytes[at]! & 0x7f;
    const length = (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (first && (type !== FLAC_STREAMINFO || length !== FLAC_STREAMINFO_LENGTH)) {
      return 'its FLAC stream information is missing';
    }
    if (first) streamInfo = at + 4;
    at += 4 + length;
    if (at > bytes.length) return 'it ends inside its FLAC metadata';
    first = false;
    if (last) break;
  }
  // A frame starts with the 14-bit sync code 0b11111111111110, a reserved 0 bit and the blocking bit.
  if (at + 2 > bytes.length || bytes[at] !== 0xff || (bytes[at + 1]! & 0xfe) !== 0xf8) {
    return 'it ends before its first FLAC audio frame';
  }
  return flacEndProblem(bytes, streamInfo, at);
}

interface FlacFrameHeader {
  variable: boolean;
  /** Frame number (fixed block size) or first sample number (variable block size). */
  number: number;
  blockSize: number;
  /** Sample rate, channel and sample size codes: the same in every frame of a stream. */
  format: number;
}

/** Searched back from the end: the largest frame STREAMINFO allows, plus room for a trailing tag. */
const FLAC_TAIL_MARGIN = 64 * 1024;
const FLAC_TAIL_UNKNOWN = 1024 * 1024;

function flacEndProblem(bytes: Uint8Array, streamInfo: number, firstFrame: number): Problem {
  const minBlockSize = (bytes[streamInfo]! << 8) | bytes[streamInfo + 1]!;
  const maxFrameSize =
    (bytes[streamInfo + 7]! << 16) | (bytes[streamInfo + 8]! << 8) | bytes[streamInfo + 9]!;
  const totalSamples = (bytes[streamInfo + 13]! & 0x0f) * 2 ** 32 + u32be(bytes, streamInfo + 14);
  const first = flacFrameHeader(bytes, firstFrame);
  // Unknown length (a streaming encoder) or an unreadable first header: nothing to compare with.
  if (totalSamples === 0 || first === null) return null;
  const window = (maxFrameSize > 0 ? maxFrameSize : FLAC_TAIL_UNKNOWN) + FLAC_TAIL_MARGIN;
  for (let at = bytes.length - 2; at >= firstFrame && at >= bytes.length - window; at--) {
    if (bytes[at] !== 0xff || (bytes[at + 1]! & 0xfe) !== 0xf8) continue;
    const last = flacFrameHeader(bytes, at);
    if (last === null || last.variable !== first.variable || last.format !== first.format) continue;
    const end = (last.variable ? last.number : last.number * minBlockSize) + last.blockSize;
    return end < totalSamples ? 'it is shorter than its FLAC header says' : null;
  }
  return null;
}

/** CRC-8 of a frame header: polynomial x^8 + x^2 + x + 1, initial value 0. */
function crc8(bytes: Uint8Array, from: number, to: number): number {
  let crc = 0;
  for (let i = from; i < to; i++) {
    crc ^= bytes[i]!;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/**
 * The frame header at `at`, or null when the bytes there are not one: reserved values, a malformed
 * coded number or a wrong CRC-8 (audio data holds the sync pattern now and then; the CRC tells).
 */
function flacFrameHeader(bytes: Uint8Array, at: number): FlacFrameHeader | null {
  if (at + 5 > bytes.length) return null;
  const variable = (bytes[at + 1]! & 1) === 1;
  const sizeCode = bytes[at + 2]! >> 4;
  const rateCode = bytes[at + 2]! & 0x0f;
  const channels = bytes[at + 3]! >> 4;
  if (sizeCode === 0 || rateCode === 15 || channels > 10 || (bytes[at + 3]! & 1) !== 0) return null;
  // The frame or sample number, coded like UTF-8 (up to 7 bytes for 36 bits).
  let pos = at + 4;
  const lead = bytes[pos]!;
  // Its leading 1 bits give its length in bytes: none for one byte, 2–7 for more; 1 or 8 is invalid.
  const ones = Math.clz32(~lead << 24);
  const extra = ones === 0 ? 0 : ones === 1 || ones > 7 ? -1 : ones - 1;
  if (extra < 0 || pos + 1 + extra > bytes.length) return null;
  let number = extra === 0 ? lead : lead & (0x7f >> (extra + 1));
  for (let i = 1; i <= extra; i++) {
    const next = bytes[pos + i]!;
    if ((next & 0xc0) !== 0x80) return null;
    number = number * 64 + (next & 0x3f);
  }
  pos += 1 + extra;
  let blockSize: number;
  if (sizeCode === 1) blockSize = 192;
  else if (sizeCode <= 5) blockSize = 576 << (sizeCode - 2);
  else if (sizeCode === 6) blockSize = (bytes[pos++] ?? 0) + 1;
  else if (sizeCode === 7) {
    blockSize = (((bytes[pos] ?? 0) << 8) | (bytes[pos + 1] ?? 0)) + 1;
    pos += 2;
  } else blockSize = 256 << (sizeCode - 8);
  pos += rateCode === 12 ? 1 : rateCode === 13 || rateCode === 14 ? 2 : 0;
  if (pos + 1 > bytes.length || crc8(bytes, at, pos) !== bytes[pos]) return null;
  return { variable, number, blockSize, format: (bytes[at + 2]! & 0x0f) | ((bytes[at + 3]! & 0xfe) << 4) };
}

// M4A

/**
 * Top-level boxes must fit until both `moov` (the index) and `mdat` (the audio) were seen whole;
 * `ftyp` comes first. Size 1 means a 64-bit size follows, 0 means "to the end of the file".
 */
function m4aProblem(bytes: Uint8Array, start: number): Problem {
  if (start === TRUNCATED_TAG) return 'it ends inside its ID3 tag';
  const seen = new Set<string>();
  let at = start;
  while (!(seen.has('moov') && seen.has('mdat'))) {
    if (at + 8 > bytes.length) return seen.has('moov') ? 'it has no audio data' : 'it has no audio index';
    const type = ascii(bytes, at + 4, 4);
    if (seen.size === 0 && type !== 'ftyp') return 'it does not start with a file type box';
    let size = u32be(bytes, at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > bytes.length) return `it ends inside its ${printable(type)} box`;
      size = u32be(bytes, at + 8) * 2 ** 32 + u32be(bytes, at + 12);
      header = 16;
    } else if (size === 0) {
      size = bytes.length - at;
    }
    if (size < header) return `its ${printable(type)} box has an impossible size`;
    if (at + size > bytes.length) return `it ends inside its ${printable(type)} box`;
    seen.add(type);
    at += size;
  }
  return null;
}

// Byte readers.

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

/** A box type as text safe to show: four letters, or "unnamed". */
function printable(type: string): string {
  return /^[\w ]{4}$/.test(type) ? `"${type.trim()}"` : 'unnamed';
}

function u32le(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function u32be(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}
