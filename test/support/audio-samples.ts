/**
 * Small files laid out as real encoders write them: `file-type` recognises each from its first
 * bytes, and every size the container declares fits in the bytes (the upload checks both).
 */

/** MPEG-1 Layer III frames (0xFFFB, 128 kbit/s, 44.1 kHz, no padding): 417 bytes each. */
export const MP3_FRAME = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(413)]);
export const MP3_BYTES = Buffer.concat([MP3_FRAME, MP3_FRAME, MP3_FRAME]);

/** An ID3v2.3 tag (a title frame) in front of the frames, as taggers leave it. */
export const MP3_WITH_ID3_BYTES = (() => {
  const title = Buffer.concat([Buffer.from('TIT2'), Buffer.from([0, 0, 0, 5, 0, 0, 0]), Buffer.from('Song')]);
  const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, title.length]);
  return Buffer.concat([header, title, MP3_BYTES]);
})();

/** A RIFF/WAVE file: a PCM `fmt ` chunk and a data chunk of 64 bytes of samples. */
export const WAV_BYTES = (() => {
  const samples = Buffer.alloc(64);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(44_100, 24);
  header.writeUInt32LE(88_200, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples.length, 40);
  return Buffer.concat([header, samples]);
})();

/** `fLaC`, a STREAMINFO block (44.1 kHz, stereo, 16 bit) marked last, then the start of a frame. */
export const FLAC_BYTES = (() => {
  const streamInfo = Buffer.alloc(34);
  streamInfo.writeUInt16BE(4096, 0); // min block size
  streamInfo.writeUInt16BE(4096, 2); // max block size
  // 20 bits sample rate, 3 bits channels − 1, 5 bits bits per sample − 1, 36 bits total samples.
  streamInfo.writeUInt32BE((44_100 << 12) | (1 << 9) | (15 << 4), 10);
  streamInfo.writeUInt32BE(4096, 14);
  const blockHeader = Buffer.from([0x80, 0, 0, streamInfo.length]);
  const frame = Buffer.concat([Buffer.from([0xff, 0xf8, 0xc9, 0x18, 0x00]), Buffer.alloc(60)]);
  return Buffer.concat([Buffer.from('fLaC'), blockHeader, streamInfo, frame]);
})();

/** An MPEG-4 box: 32-bit size, four-letter type, payload. */
export function mp4Box(type: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + payload.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, payload]);
}

/** An iTunes-style M4A: `ftyp` (brand M4A), `moov` with a movie header, `mdat` with the audio. */
export const M4A_BYTES = Buffer.concat([
  mp4Box('ftyp', Buffer.from('M4A \u0000\u0000\u0000\u0000M4A isomiso2', 'latin1')),
  mp4Box('moov', mp4Box('mvhd', Buffer.alloc(100))),
  mp4Box('mdat', Buffer.alloc(128, 0x21)),
]);

/** The PNG signature and an IHDR chunk start. */
export const PNG_BYTES = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  Buffer.from('IHDR'),
  Buffer.alloc(64),
]);
