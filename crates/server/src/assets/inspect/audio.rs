//! Sounds: MP3 frame by frame, OGG page by page to the end-of-stream page, WAV chunk by chunk;
//! the same walk gives the duration and bitrate.

use std::io::{BufReader, Read, Seek, SeekFrom};

use super::{le32, read_at, truncated, Facts, Walk};

const MPEG1_KBPS: [u32; 15] = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MPEG2_KBPS: [u32; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

/// One MPEG audio layer III frame header.
struct Frame {
    len: u64,
    samples: u32,
    sample_rate: u32,
    channels: u16,
}

fn frame(h: [u8; 4]) -> Option<Frame> {
    if h[0] != 0xFF || h[1] & 0xE0 != 0xE0 || (h[1] >> 1) & 0b11 != 0b01 {
        return None;
    }
    let version = (h[1] >> 3) & 0b11;
    let (rates, kbps, samples, coefficient) = match version {
        0b11 => ([44_100, 48_000, 32_000], &MPEG1_KBPS, 1152, 144),
        0b10 => ([22_050, 24_000, 16_000], &MPEG2_KBPS, 576, 72),
        0b00 => ([11_025, 12_000, 8_000], &MPEG2_KBPS, 576, 72),
        _ => return None,
    };
    let kbps = *kbps.get(usize::from(h[2] >> 4))?;
    let sample_rate = *rates.get(usize::from((h[2] >> 2) & 0b11))?;
    if kbps == 0 {
        // Free format: no length in the header to walk by.
        return None;
    }
    let padding = u64::from((h[2] >> 1) & 1);
    let len = u64::from(coefficient * kbps * 1000 / sample_rate) + padding;
    Some(Frame { len, samples, sample_rate, channels: if h[3] >> 6 == 0b11 { 1 } else { 2 } })
}

/// Past the ID3v2 tag (if any), frame after frame to the end or to a trailing tag.
pub fn mp3<R: Read + Seek>(file: &mut R, len: u64) -> Walk<Facts> {
    let mut pos = 0u64;
    let mut id3 = [0u8; 10];
    if len >= 10 {
        read_at(file, 0, &mut id3)?;
        if &id3[0..3] == b"ID3" {
            let size = id3[6..10].iter().fold(0u64, |acc, b| (acc << 7) | u64::from(b & 0x7F));
            pos = 10 + size + if id3[5] & 0x10 != 0 { 10 } else { 0 };
        }
    }
    let mut r = BufReader::with_capacity(64 * 1024, file);
    r.seek(SeekFrom::Start(pos)).map_err(|e| e.to_string())?;
    let (mut frames, mut samples, mut audio_bytes) = (0u64, 0u64, 0u64);
    let mut first: Option<Frame> = None;
    while pos < len {
        let mut h = [0u8; 4];
        if len - pos < 4 || r.read_exact(&mut h).is_err() {
            return Err(truncated());
        }
        let Some(f) = frame(h) else {
            // What may follow the last frame: an ID3v1 or APE tag, lyrics, or zero padding.
            let mut tail = h.to_vec();
            r.read_to_end(&mut tail).map_err(|e| e.to_string())?;
            let tagged = [b"TAG".as_slice(), b"APETAGEX", b"LYRICS"].iter().any(|t| tail.starts_with(t));
            if frames > 0 && (tagged || tail.iter().all(|b| *b == 0)) {
                break;
            }
            return Err(if frames == 0 { "it has no MP3 frames".into() } else { "it has stray data between its frames".into() });
        };
        if pos + f.len > len {
            return Err(truncated());
        }
        r.seek_relative(i64::try_from(f.len).unwrap_or(i64::MAX) - 4).map_err(|e| e.to_string())?;
        pos += f.len;
        frames += 1;
        samples += u64::from(f.samples);
        audio_bytes += f.len;
        first.get_or_insert(f);
    }
    let f = first.ok_or("it has no MP3 frames")?;
    let duration = samples as f64 / f64::from(f.sample_rate);
    Ok(Facts {
        duration_seconds: Some(duration),
        bitrate_kbps: (duration > 0.0).then(|| (audio_bytes as f64 * 8.0 / duration / 1000.0).round() as u32),
        sample_rate: Some(f.sample_rate),
        channels: Some(f.channels),
        ..Facts::default()
    })
}

/// Page after page; the last must close the stream. Vorbis and Opus streams give a duration,
/// measured from their packets (what a decoder makes of each), never taken from the granule
/// position the file declares: a file can claim one second and hold an hour, and what is built
/// from it later trusts this figure.
pub fn ogg<R: Read + Seek>(file: &mut R, len: u64) -> Walk<Facts> {
    let mut r = BufReader::with_capacity(64 * 1024, file);
    let (mut pos, mut last_granule, mut ended, mut serial) = (0u64, 0i64, false, None);
    let mut packet: Vec<u8> = Vec::new();
    let mut body = vec![0u8; 255 * 255];
    let mut stream = OggStream::default();
    while pos < len {
        if ended {
            return Err("it goes on after its end-of-stream page".into());
        }
        let mut header = [0u8; 27];
        r.read_exact(&mut header).map_err(|_| truncated())?;
        if &header[0..4] != b"OggS" {
            return Err("a page does not start where the one before it ends".into());
        }
        if *serial.get_or_insert(le32(&header[14..18])) != le32(&header[14..18]) {
            return Err("it holds more than one stream".into());
        }
        let mut table = vec![0u8; usize::from(header[26])];
        r.read_exact(&mut table).map_err(|_| truncated())?;
        let size: usize = table.iter().map(|s| usize::from(*s)).sum();
        let next = pos + 27 + table.len() as u64 + size as u64;
        if next > len {
            return Err(truncated());
        }
        r.read_exact(&mut body[..size]).map_err(|_| truncated())?;
        let continued = header[5] & 0x01 != 0;
        if continued == packet.is_empty() {
            return Err("a packet is cut off between two pages".into());
        }
        let mut at = 0;
        for segment in table.iter().map(|s| usize::from(*s)) {
            packet.extend_from_slice(&body[at..at + segment]);
            at += segment;
            if packet.len() > MAX_OGG_PACKET {
                return Err("a packet is larger than any sound needs".into());
            }
            if segment < 255 {
                stream.packet(&packet)?;
                packet.clear();
            }
        }
        let granule = i64::from_le_bytes(header[6..14].try_into().map_err(|_| truncated())?);
        if granule >= 0 {
            last_granule = granule;
        }
        ended = header[5] & 0x04 != 0;
        pos = next;
    }
    if !ended || !packet.is_empty() {
        return Err(truncated());
    }
    let (rate, channels) = (stream.rate, stream.channels);
    let duration = stream.duration(last_granule);
    Ok(Facts {
        duration_seconds: duration,
        bitrate_kbps: duration.filter(|d| *d > 0.0).map(|d| (len as f64 * 8.0 / d / 1000.0).round() as u32),
        sample_rate: (rate > 0).then_some(rate),
        channels: (channels > 0).then_some(channels),
        ..Facts::default()
    })
}

/// The largest packet taken: Vorbis' setup header, the largest, is tens of kilobytes.
const MAX_OGG_PACKET: usize = 1 << 20;

/// What the packets of one logical stream say, and how many samples they decode to.
#[derive(Default)]
struct OggStream {
    codec: Codec,
    packets: u64,
    rate: u32,
    channels: u16,
    /// Per channel, as a decoder gives them.
    samples: u64,
    /// Opus: samples the decoder drops at the start.
    skip: u64,
}

#[derive(Default)]
enum Codec {
    /// Not a codec whose packets are counted here: no duration.
    #[default]
    Unknown,
    Vorbis(Box<lewton::header::IdentHeader>, Option<Box<lewton::header::SetupHeader>>),
    Opus,
}

impl OggStream {
    fn packet(&mut self, p: &[u8]) -> Walk<()> {
        let index = self.packets;
        self.packets += 1;
        match (&mut self.codec, index) {
            (_, 0) if p.starts_with(b"\x01vorbis") => {
                let ident = lewton::header::read_header_ident(p).map_err(|e| format!("its Vorbis header cannot be read ({e:?})"))?;
                (self.rate, self.channels) = (ident.audio_sample_rate, u16::from(ident.audio_channels));
                check_format(self.rate, self.channels)?;
                self.codec = Codec::Vorbis(Box::new(ident), None);
            }
            (_, 0) if p.starts_with(b"OpusHead") && p.len() >= 19 => {
                (self.rate, self.channels) = (48_000, u16::from(p[9]));
                check_format(self.rate, self.channels)?;
                self.skip = u64::from(u16::from_le_bytes([p[10], p[11]]));
                self.codec = Codec::Opus;
            }
            (Codec::Vorbis(ident, setup @ None), 2) => {
                let read = lewton::header::read_header_setup(p, ident.audio_channels, (ident.blocksize_0, ident.blocksize_1))
                    .map_err(|e| format!("its Vorbis setup cannot be read ({e:?})"))?;
                *setup = Some(Box::new(read));
            }
            (Codec::Vorbis(ident, Some(setup)), 3..) => {
                // The decoder gives nothing for the first audio packet: it only primes the window.
                let counted =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lewton::audio::get_decoded_sample_count(ident, setup, p)))
                        .map_err(|_| "an audio packet is malformed".to_owned())?;
                match counted {
                    Ok(n) if index > 3 => self.samples += n as u64,
                    Ok(_) => {}
                    Err(e) => return Err(format!("an audio packet cannot be read ({e:?})")),
                }
            }
            (Codec::Opus, 2..) => self.samples += opus_samples(p)?,
            _ => {}
        }
        Ok(())
    }

    /// The measured length; the declared one (the last granule position) where the two agree
    /// within a block, as the declared one also trims the last block's padding.
    fn duration(&self, last_granule: i64) -> Option<f64> {
        if self.rate == 0 || matches!(self.codec, Codec::Unknown) {
            return None;
        }
        let measured = self.samples.saturating_sub(self.skip);
        let declared = u64::try_from(last_granule).unwrap_or(0).saturating_sub(self.skip);
        let samples = if declared <= measured && measured - declared <= 8192 { declared } else { measured };
        Some(samples as f64 / f64::from(self.rate))
    }
}

/// The samples (at 48 kHz) an Opus packet decodes to, from its table-of-contents byte
/// (RFC 6716, section 3.1).
fn opus_samples(p: &[u8]) -> Walk<u64> {
    let toc = *p.first().ok_or("an Opus packet is empty")?;
    let config = usize::from(toc >> 3);
    let frame: u64 = match config {
        0..=11 => [480, 960, 1920, 2880][config % 4],
        12..=15 => [480, 960][config % 2],
        _ => [120, 240, 480, 960][config % 4],
    };
    let frames = match toc & 0b11 {
        0 => 1,
        1 | 2 => 2,
        _ => u64::from(*p.get(1).ok_or("an Opus packet is cut short")? & 0x3F),
    };
    let samples = frame * frames;
    if samples > 5760 {
        return Err("an Opus packet is longer than 120 ms".into());
    }
    Ok(samples)
}

/// Sounds for games: mono or stereo, at most 48 kHz, as every browser plays them.
fn check_format(rate: u32, channels: u16) -> Walk<()> {
    if !(1..=2).contains(&channels) {
        return Err(format!("it has {channels} channels; sounds of one or two channels are taken"));
    }
    if !(1..=48_000).contains(&rate) {
        return Err(format!("it is sampled at {rate} Hz; sounds of at most 48 kHz are taken"));
    }
    Ok(())
}

/// The RIFF size, then the chunks: `fmt ` gives the rate, `data` the length.
pub fn wav<R: Read + Seek>(file: &mut R, len: u64) -> Walk<Facts> {
    let mut header = [0u8; 12];
    read_at(file, 0, &mut header)?;
    let end = 8 + u64::from(le32(&header[4..8]));
    if end > len {
        return Err(truncated());
    }
    let (mut pos, mut format, mut data) = (12u64, None, None);
    while pos + 8 <= end {
        let mut chunk = [0u8; 8];
        read_at(file, pos, &mut chunk)?;
        let size = u64::from(le32(&chunk[4..8]));
        if pos + 8 + size > end {
            return Err(truncated());
        }
        match &chunk[0..4] {
            b"fmt " if size >= 16 => {
                let mut fmt = [0u8; 16];
                read_at(file, pos + 8, &mut fmt)?;
                format = Some((u16::from_le_bytes([fmt[2], fmt[3]]), le32(&fmt[4..8]), le32(&fmt[8..12])));
            }
            b"data" => data = Some(size),
            _ => {}
        }
        pos += 8 + size + (size & 1);
    }
    let (channels, rate, byte_rate) = format.ok_or("it has no format chunk")?;
    check_format(rate, channels)?;
    let data = data.ok_or("it has no sound data")?;
    let duration = (byte_rate > 0).then(|| data as f64 / f64::from(byte_rate));
    Ok(Facts {
        duration_seconds: duration,
        bitrate_kbps: Some(byte_rate * 8 / 1000),
        sample_rate: Some(rate),
        channels: Some(channels),
        ..Facts::default()
    })
}

/// An MP3's frames alone, without the ID3 or APE tags before and after them (titles, names,
/// comments, cover pictures): what a game publishes.
pub fn mp3_frames(bytes: &[u8]) -> Walk<&[u8]> {
    let mut pos = 0usize;
    if bytes.len() >= 10 && &bytes[0..3] == b"ID3" {
        let size = bytes[6..10].iter().fold(0usize, |acc, b| (acc << 7) | usize::from(b & 0x7F));
        pos = 10 + size + if bytes[5] & 0x10 != 0 { 10 } else { 0 };
    }
    let start = pos;
    while let Some(header) = bytes.get(pos..pos + 4) {
        match frame([header[0], header[1], header[2], header[3]]) {
            Some(f) if pos + f.len as usize <= bytes.len() => pos += f.len as usize,
            _ => break,
        }
    }
    if pos == start {
        return Err("it has no MP3 frames".into());
    }
    Ok(&bytes[start..pos])
}

/// A WAV of only its format and sound data: no LIST/INFO, ID3 or other chunks (titles, names,
/// software, dates).
pub fn wav_without_tags(bytes: &[u8]) -> Walk<Vec<u8>> {
    let chunk = |name: &[u8]| -> Walk<&[u8]> {
        let mut pos = 12usize;
        while let Some(head) = bytes.get(pos..pos + 8) {
            let size = le32(&head[4..8]) as usize;
            let body = bytes.get(pos + 8..pos + 8 + size).ok_or_else(truncated)?;
            if &head[0..4] == name {
                return Ok(body);
            }
            pos += 8 + size + (size & 1);
        }
        Err(format!("it has no `{}` chunk", String::from_utf8_lossy(name).trim()))
    };
    if bytes.get(0..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WAVE") {
        return Err("it is not a RIFF WAVE file".into());
    }
    let (format, data) = (chunk(b"fmt ")?, chunk(b"data")?);
    let mut out = Vec::with_capacity(20 + format.len() + data.len() + 2);
    out.extend_from_slice(b"RIFF\0\0\0\0WAVE");
    for (name, body) in [(b"fmt ", format), (b"data", data)] {
        out.extend_from_slice(name);
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(body);
        if body.len() & 1 == 1 {
            out.push(0);
        }
    }
    let size = u32::try_from(out.len() - 8).map_err(|_| "it is too large")?;
    out[4..8].copy_from_slice(&size.to_le_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::check;
    use super::super::Refusal;
    use crate::assets::fixtures;
    use petpixel_types::asset::MediaType;

    #[test]
    fn whole_sounds_pass_with_their_length() {
        let (media, facts) = check(&fixtures::mp3(100)).unwrap();
        assert_eq!(media, MediaType::Mp3);
        // 100 frames of 1152 samples at 44.1 kHz, 128 kbit/s.
        assert!((facts.duration_seconds.unwrap() - 2.612).abs() < 0.01, "{facts:?}");
        assert_eq!(facts.bitrate_kbps, Some(128));
        let (media, facts) = check(&fixtures::wav(8000, 1)).unwrap();
        assert_eq!((media, facts.duration_seconds, facts.sample_rate), (MediaType::Wav, Some(1.0), Some(8000)));
        let (media, facts) = check(&fixtures::ogg(48_000 * 3)).unwrap();
        assert_eq!(media, MediaType::Ogg);
        assert_eq!(facts.duration_seconds, Some(3.0));
    }

    #[test]
    fn an_ogg_is_as_long_as_its_packets_whatever_its_pages_claim() {
        let (_, facts) = check(fixtures::VORBIS_SILENCE).unwrap();
        assert!((facts.duration_seconds.unwrap() - 2.0).abs() < 0.01, "{facts:?}");
        assert_eq!((facts.sample_rate, facts.channels), (Some(44_100), Some(2)));
        // Ten minutes of silence whose last page says one second.
        let (_, facts) = check(&fixtures::vorbis(600.0, 1.0)).unwrap();
        assert!((facts.duration_seconds.unwrap() - 600.0).abs() < 0.1, "{facts:?}");
        let (_, facts) = check(&fixtures::vorbis(3.0, 3.0)).unwrap();
        assert!((facts.duration_seconds.unwrap() - 3.0).abs() < 0.05, "an honest one keeps its declared length: {facts:?}");
    }

    #[test]
    fn the_walk_counts_what_the_decoder_makes() {
        let mut reader = lewton::inside_ogg::OggStreamReader::new(std::io::Cursor::new(fixtures::vorbis(5.0, 1.0))).unwrap();
        let mut decoded = 0usize;
        while let Some(packet) = reader.read_dec_packet_itl().unwrap() {
            decoded += packet.len() / 2;
        }
        // The decoder trims the last block to what the last page declares; the walk counts it whole.
        let walked = (check(&fixtures::vorbis(5.0, 1.0)).unwrap().1.duration_seconds.unwrap() * 44_100.0).round() as usize;
        assert!(walked >= decoded && walked - decoded <= 1024, "decoded {decoded} samples, walked {walked}");
    }

    #[test]
    fn sounds_of_more_than_two_channels_or_48_khz_are_refused() {
        let mut six = fixtures::wav(8000, 1);
        six[22] = 6;
        assert!(matches!(check(&six), Err(Refusal::Malformed(m)) if m.contains("6 channels")));
        let mut fast = fixtures::wav(8000, 1);
        fast[24..28].copy_from_slice(&96_000u32.to_le_bytes());
        assert!(matches!(check(&fast), Err(Refusal::Malformed(m)) if m.contains("96000 Hz")));
        let mut opus = fixtures::ogg(48_000);
        opus[28 + 9] = 8;
        assert!(matches!(check(&opus), Err(Refusal::Malformed(m)) if m.contains("8 channels")));
    }

    #[test]
    fn tags_are_left_out_of_what_games_publish() {
        let mut mp3 = fixtures::mp3(5);
        let frames = mp3[10..].to_vec();
        mp3.extend_from_slice(b"TAG");
        mp3.extend_from_slice(&[b'x'; 125]);
        assert_eq!(super::mp3_frames(&mp3).unwrap(), frames.as_slice());
        let plain = fixtures::wav(8000, 1);
        let mut tagged = plain.clone();
        let info = b"LIST\x0c\x00\x00\x00INFOINAM\x00\x00\x00\x00";
        tagged.splice(36..36, info.iter().copied());
        let size = (tagged.len() - 8) as u32;
        tagged[4..8].copy_from_slice(&size.to_le_bytes());
        assert!(check(&tagged).is_ok());
        assert_eq!(super::wav_without_tags(&tagged).unwrap(), plain);
    }

    #[test]
    fn a_cut_sound_is_refused() {
        for whole in [fixtures::mp3(10), fixtures::wav(8000, 1), fixtures::ogg(48_000)] {
            let cut = &whole[..whole.len() - 7];
            assert!(matches!(check(cut), Err(Refusal::Malformed(_))), "{:?}", &whole[..4]);
        }
    }
}
