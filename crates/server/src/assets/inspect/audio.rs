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

/// Page after page; the last must close the stream. Vorbis and Opus streams give a duration.
pub fn ogg<R: Read + Seek>(file: &mut R, len: u64) -> Walk<Facts> {
    let mut r = BufReader::with_capacity(64 * 1024, file);
    let (mut pos, mut last_granule, mut ended) = (0u64, 0i64, false);
    let mut stream: Option<(u32, u16, i64)> = None; // sample rate, channels, samples to skip
    while pos < len {
        if ended {
            return Err("it goes on after its end-of-stream page".into());
        }
        let mut header = [0u8; 27];
        r.read_exact(&mut header).map_err(|_| truncated())?;
        if &header[0..4] != b"OggS" {
            return Err("a page does not start where the one before it ends".into());
        }
        let mut table = vec![0u8; usize::from(header[26])];
        r.read_exact(&mut table).map_err(|_| truncated())?;
        let body: u64 = table.iter().map(|s| u64::from(*s)).sum();
        let next = pos + 27 + table.len() as u64 + body;
        if next > len {
            return Err(truncated());
        }
        if stream.is_none() {
            let mut first = vec![0u8; body.min(19) as usize];
            r.read_exact(&mut first).map_err(|_| truncated())?;
            r.seek_relative(i64::try_from(body).unwrap_or(0) - first.len() as i64).map_err(|e| e.to_string())?;
            stream = Some(if first.starts_with(b"\x01vorbis") && first.len() >= 16 {
                (le32(&first[12..16]), u16::from(first[11]), 0)
            } else if first.starts_with(b"OpusHead") && first.len() >= 12 {
                (48_000, u16::from(first[9]), i64::from(u16::from_le_bytes([first[10], first[11]])))
            } else {
                (0, 0, 0)
            });
        } else {
            r.seek_relative(i64::try_from(body).unwrap_or(i64::MAX)).map_err(|e| e.to_string())?;
        }
        let granule = i64::from_le_bytes(header[6..14].try_into().map_err(|_| truncated())?);
        if granule >= 0 {
            last_granule = granule;
        }
        ended = header[5] & 0x04 != 0;
        pos = next;
    }
    if !ended {
        return Err(truncated());
    }
    let (rate, channels, skip) = stream.unwrap_or_default();
    let duration = (rate > 0).then(|| (last_granule - skip).max(0) as f64 / f64::from(rate));
    Ok(Facts {
        duration_seconds: duration,
        bitrate_kbps: duration.filter(|d| *d > 0.0).map(|d| (len as f64 * 8.0 / d / 1000.0).round() as u32),
        sample_rate: (rate > 0).then_some(rate),
        channels: (channels > 0).then_some(channels),
        ..Facts::default()
    })
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
    fn a_cut_sound_is_refused() {
        for whole in [fixtures::mp3(10), fixtures::wav(8000, 1), fixtures::ogg(48_000)] {
            let cut = &whole[..whole.len() - 7];
            assert!(matches!(check(cut), Err(Refusal::Malformed(_))), "{:?}", &whole[..4]);
        }
    }
}
