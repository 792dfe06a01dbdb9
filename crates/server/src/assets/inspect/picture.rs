//! Pictures: JPEG markers to EOI, PNG chunks to IEND, the RIFF size of WebP, the top-level boxes
//! of HEIC; dimensions from the header, checked before any pixel is decoded.

use std::io::{BufReader, Read, Seek};

use super::{be32, check_size, le32, read_at, truncated, Facts, ImageLimits, Walk};

/// Follows the markers from SOI to EOI, through the entropy-coded data after each SOS.
pub fn jpeg<R: Read + Seek>(file: &mut R, limits: ImageLimits) -> Walk<Facts> {
    let mut r = BufReader::with_capacity(64 * 1024, file);
    let mut byte = || -> Walk<u8> {
        let mut b = [0u8; 1];
        r.read_exact(&mut b).map_err(|_| truncated())?;
        Ok(b[0])
    };
    if (byte()?, byte()?) != (0xFF, 0xD8) {
        return Err("it does not start with a JPEG header".into());
    }
    let mut size = None;
    let mut marker = next_marker(&mut byte)?;
    loop {
        match marker {
            0xD9 => break,
            0x01 | 0xD0..=0xD7 => marker = next_marker(&mut byte)?,
            _ => {
                let len = u16::from_be_bytes([byte()?, byte()?]);
                if len < 2 {
                    return Err("a segment has an impossible length".into());
                }
                let mut body = Vec::with_capacity(usize::from(len) - 2);
                for _ in 2..len {
                    body.push(byte()?);
                }
                // Start-of-frame markers, not DHT (C4), JPG (C8) or DAC (CC).
                if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) && body.len() >= 5 && size.is_none() {
                    let height = u16::from_be_bytes([body[1], body[2]]);
                    let width = u16::from_be_bytes([body[3], body[4]]);
                    size = Some((u32::from(width), u32::from(height)));
                }
                marker = if marker == 0xDA { skip_scan(&mut byte)? } else { next_marker(&mut byte)? };
            }
        }
    }
    let (width, height) = size.ok_or("it has no frame header")?;
    check_size(width, height, limits)
}

/// The next marker byte after a 0xFF (and any fill bytes).
fn next_marker(byte: &mut impl FnMut() -> Walk<u8>) -> Walk<u8> {
    if byte()? != 0xFF {
        return Err("a segment does not start where the one before it ends".into());
    }
    loop {
        match byte()? {
            0xFF => continue,
            m => return Ok(m),
        }
    }
}

/// Entropy-coded data ends at the first marker that is neither a stuffed 0xFF00 nor a restart.
fn skip_scan(byte: &mut impl FnMut() -> Walk<u8>) -> Walk<u8> {
    loop {
        if byte()? != 0xFF {
            continue;
        }
        let mut b = byte()?;
        while b == 0xFF {
            b = byte()?;
        }
        if b != 0x00 && !(0xD0..=0xD7).contains(&b) {
            return Ok(b);
        }
    }
}

/// Chunk by chunk from IHDR to IEND.
pub fn png<R: Read + Seek>(file: &mut R, len: u64, limits: ImageLimits) -> Walk<Facts> {
    let mut header = [0u8; 8 + 8 + 13];
    read_at(file, 0, &mut header)?;
    if &header[12..16] != b"IHDR" {
        return Err("it does not start with an image header".into());
    }
    let facts = check_size(be32(&header[16..20]), be32(&header[20..24]), limits)?;
    let mut pos = 8u64;
    loop {
        let mut chunk = [0u8; 8];
        read_at(file, pos, &mut chunk)?;
        let next = pos + 12 + u64::from(be32(&chunk[0..4]));
        if next > len {
            return Err(truncated());
        }
        if &chunk[4..8] == b"IEND" {
            return Ok(facts);
        }
        pos = next;
    }
}

/// The RIFF container says how long it is; the first chunk says how large the picture is.
pub fn webp<R: Read + Seek>(file: &mut R, len: u64, limits: ImageLimits) -> Walk<Facts> {
    let mut header = [0u8; 30];
    read_at(file, 0, &mut header)?;
    if 8 + u64::from(le32(&header[4..8])) > len {
        return Err(truncated());
    }
    let le24 = |b: &[u8]| u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16;
    let (width, height) = match &header[12..16] {
        b"VP8X" => (1 + le24(&header[24..27]), 1 + le24(&header[27..30])),
        b"VP8L" => {
            let bits = le32(&header[21..25]);
            (1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF))
        }
        b"VP8 " => (
            u32::from(u16::from_le_bytes([header[26], header[27]]) & 0x3FFF),
            u32::from(u16::from_le_bytes([header[28], header[29]]) & 0x3FFF),
        ),
        _ => return Err("its first chunk is not a WebP picture".into()),
    };
    check_size(width, height, limits)
}

/// The top-level boxes must tile the file exactly; the picture's size comes from the image
/// spatial extents (`ispe`) its `meta` box declares, one per image item (a grid's whole picture
/// and each of its tiles alike), every one checked against the limits before libheif sees it.
pub fn heic<R: Read + Seek>(file: &mut R, len: u64, limits: ImageLimits) -> Walk<Facts> {
    let mut pos = 0u64;
    let mut meta = None;
    while pos < len {
        let mut header = [0u8; 16];
        read_at(file, pos, &mut header[..8])?;
        let (size, head) = match be32(&header[0..4]) {
            0 => (len - pos, 8),
            1 => {
                read_at(file, pos + 8, &mut header[8..16])?;
                (u64::from_be_bytes(header[8..16].try_into().map_err(|_| truncated())?), 16)
            }
            n => (u64::from(n), 8),
        };
        if size < head || pos + size > len {
            return Err(truncated());
        }
        if &header[4..8] == b"meta" && meta.is_none() {
            if size > MAX_META {
                return Err("its picture description is larger than any photo needs".into());
            }
            let mut body = vec![0u8; (size - head) as usize];
            read_at(file, pos + head, &mut body)?;
            meta = Some(body);
        }
        pos += size;
    }
    let meta = meta.ok_or("it has no picture description")?;
    // `meta` is a full box: a version and flags first, then its children.
    let items = Items::read(meta.get(4..).unwrap_or_default());
    if items.extents.is_empty() {
        return Err("it does not say how large it is".into());
    }
    for (w, h) in items.extents.iter().flatten() {
        check_size(*w, *h, limits)?;
    }
    let (width, height) = items.primary_extent().ok_or("it does not say how large its picture is")?;
    Ok(Facts { width: Some(width), height: Some(height), ..Facts::default() })
}

/// The most a HEIC's `meta` box is read into memory for: real ones take a few kilobytes.
const MAX_META: u64 = 1 << 20;

/// What a HEIC's `meta` box says of its images' sizes.
#[derive(Default)]
struct Items {
    primary: Option<u32>,
    /// The item properties in order (`ipco`), with the extent of those that are `ispe`.
    extents: Vec<Option<(u32, u32)>>,
    /// Item id -> the (1-based) indexes of its properties (`ipma`).
    associations: Vec<(u32, Vec<usize>)>,
}

impl Items {
    fn read(boxes: &[u8]) -> Self {
        let mut items = Items::default();
        for (kind, body) in children(boxes) {
            match kind {
                b"pitm" if body.len() >= 6 => {
                    items.primary = Some(if body[0] == 0 { u32::from(u16::from_be_bytes([body[4], body[5]])) } else { be32_at(body, 4) })
                }
                b"iprp" => {
                    for (kind, body) in children(body) {
                        match kind {
                            b"ipco" => {
                                items.extents = children(body)
                                    .into_iter()
                                    .map(|(kind, p)| (kind == b"ispe" && p.len() >= 12).then(|| (be32(&p[4..8]), be32(&p[8..12]))))
                                    .collect()
                            }
                            b"ipma" => items.associations = associations(body),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        items
    }

    /// The primary image's size; without an association, the largest declared.
    fn primary_extent(&self) -> Option<(u32, u32)> {
        let of_primary = self
            .primary
            .and_then(|id| self.associations.iter().find(|(item, _)| *item == id))
            .and_then(|(_, props)| props.iter().find_map(|i| i.checked_sub(1).and_then(|i| self.extents.get(i)).copied().flatten()));
        of_primary.or_else(|| self.extents.iter().flatten().copied().max_by_key(|(w, h)| u64::from(*w) * u64::from(*h)))
    }
}

fn be32_at(bytes: &[u8], at: usize) -> u32 {
    bytes.get(at..at + 4).map_or(0, be32)
}

/// `ipma`: per item, the indexes of its properties (ISO/IEC 23008-12, 9.3).
fn associations(body: &[u8]) -> Vec<(u32, Vec<usize>)> {
    let (version, wide) = (body.first().copied().unwrap_or(0), body.get(3).is_some_and(|f| f & 1 == 1));
    let mut out = Vec::new();
    let mut pos = 8usize;
    for _ in 0..be32_at(body, 4) {
        let item = if version < 1 {
            let Some(b) = body.get(pos..pos + 2) else { break };
            pos += 2;
            u32::from(u16::from_be_bytes([b[0], b[1]]))
        } else {
            let id = be32_at(body, pos);
            pos += 4;
            id
        };
        let Some(&count) = body.get(pos) else { break };
        pos += 1;
        let mut props = Vec::new();
        for _ in 0..count {
            let index = if wide {
                let Some(b) = body.get(pos..pos + 2) else { break };
                pos += 2;
                usize::from(u16::from_be_bytes([b[0], b[1]]) & 0x7FFF)
            } else {
                let Some(&b) = body.get(pos) else { break };
                pos += 1;
                usize::from(b & 0x7F)
            };
            props.push(index);
        }
        out.push((item, props));
    }
    out
}

/// The boxes laid end to end in `bytes`, as (type, body); a box running past the end ends it.
fn children(bytes: &[u8]) -> Vec<(&[u8; 4], &[u8])> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while let Some(header) = bytes.get(pos..pos + 8) {
        let size = be32(&header[0..4]) as usize;
        let Some(body) = (size >= 8).then(|| bytes.get(pos + 8..pos + size)).flatten() else { break };
        let kind: &[u8; 4] = header[4..8].try_into().unwrap_or(b"    ");
        out.push((kind, body));
        pos += size;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::check;
    use super::super::Refusal;
    use crate::assets::fixtures;
    use petpixel_types::asset::MediaType;

    #[test]
    fn whole_pictures_pass_with_their_size() {
        let (media, facts) = check(&fixtures::jpeg(40, 30)).unwrap();
        assert_eq!((media, facts.width, facts.height), (MediaType::Jpeg, Some(40), Some(30)));
        let (media, facts) = check(&fixtures::png(33, 17)).unwrap();
        assert_eq!((media, facts.width, facts.height), (MediaType::Png, Some(33), Some(17)));
        let (media, facts) = check(&fixtures::webp(21, 9)).unwrap();
        assert_eq!((media, facts.width, facts.height), (MediaType::Webp, Some(21), Some(9)));
        let (media, facts) = check(fixtures::HEIC).unwrap();
        assert_eq!((media, facts.width, facts.height), (MediaType::Heic, Some(64), Some(48)));
    }

    #[test]
    fn a_cut_picture_is_refused() {
        for whole in [fixtures::jpeg(40, 30), fixtures::png(33, 17), fixtures::webp(21, 9), fixtures::HEIC.to_vec()] {
            let cut = &whole[..whole.len() - 20];
            assert!(matches!(check(cut), Err(Refusal::Malformed(_))), "{:?}", &whole[..4]);
        }
    }

    #[test]
    fn a_heic_bomb_is_refused_from_its_declared_extents() {
        // The grid's extent, then a tile's: claim 60,000 × 60,000 for either and it goes.
        for which in 0..2 {
            let mut bomb = fixtures::HEIC.to_vec();
            let at = bomb.windows(4).enumerate().filter(|(_, w)| w == b"ispe").nth(which).unwrap().0;
            bomb[at + 8..at + 12].copy_from_slice(&60_000u32.to_be_bytes());
            bomb[at + 12..at + 16].copy_from_slice(&60_000u32.to_be_bytes());
            match check(&bomb) {
                Err(Refusal::Malformed(m)) => assert!(m.contains("60000 × 60000"), "{m}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_bomb_is_refused_from_its_header() {
        let bomb = fixtures::png_bomb(60_000, 60_000);
        match check(&bomb) {
            Err(Refusal::Malformed(m)) => assert!(m.contains("60000 × 60000"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
